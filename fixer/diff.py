"""Unified diffs that ``git apply`` and ``patch -p1`` accept; empty means unchanged."""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def make_diff(old: bytes, new: bytes, path: str, encoding: str = "utf-8") -> bytes:
    """A unified diff of two versions of a file, in the file's own encoding and newlines.

    Headers are ``--- a/PATH`` / ``+++ b/PATH``; a last line without a newline gets the
    ``\\ No newline at end of file`` marker.  Pure; returns b"" when nothing changed.
    """
    if old == new:
        return b""
    old_lines = split_lines(old.decode(encoding, errors="surrogateescape"))
    new_lines = split_lines(new.decode(encoding, errors="surrogateescape"))
    out: list[str] = []
    import difflib  # (loaded by runs that show a diff)

    for line in difflib.unified_diff(old_lines, new_lines, f"a/{path}", f"b/{path}", lineterm=""):
        if line.startswith(("---", "+++", "@@")):
            out.append(line + "\n")
        elif line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out).encode(encoding, errors="surrogateescape")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split on \\n, \\r\\n and \\r only (as Python's tokenizer
    does): ``str.splitlines`` would also split on form feeds and other control characters."""
    return _LINE.findall(text)
