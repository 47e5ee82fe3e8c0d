"""Bytes in, bytes out: encoding, BOM, newlines, file mode and the atomic replace.

This is the only module that touches the file system for reading and writing scripts.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

BOM = codecs.BOM_UTF8


class SourceError(Exception):
    """The bytes of a file cannot be turned into Python source text (named, user-facing)."""


class WriteError(Exception):
    """A fix could not be written; the file on disk is left as it was."""


@dataclass(frozen=True)
class DecodedSource:
    """Source text without its BOM, and what is needed to turn it back into the same bytes."""

    text: str
    encoding: str  # the codec named by the cookie (or utf-8)
    bom: bool
    newline: str  # the first newline sequence of the file, used for new lines

    def encode(self, text: str) -> bytes:
        """Encode ``text`` the way the original file was encoded (cookie codec, BOM kept)."""
        data = text.encode(self.encoding)
        return BOM + data if self.bom else data


def decode_source(data: bytes) -> DecodedSource:
    """Decode ``data`` as Python does (PEP 263 cookie, BOM), never guessing.

    Raises ``SourceError`` with the reason when the bytes are not valid source.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "encoding declaration" in str(exc) and b"coding" not in data[:400]:
            # No cookie and the first lines are not UTF-8: name the offending line below.
            encoding = "utf-8"
        else:
            raise SourceError(f"cannot determine the encoding: {exc}") from None
    bom = data.startswith(BOM)
    body = data[len(BOM):] if bom else data
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"line {line}: bytes are not valid {codec} ({exc.reason}); "
            "add an encoding cookie or fix the bytes"
        ) from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in the coding cookie") from None
    if "\x00" in text:
        raise SourceError("the file contains NUL bytes (binary, not Python source)")
    return DecodedSource(text=text, encoding=codec, bom=bom, newline=detect_newline(text))


def detect_newline(text: str) -> str:
    """The first newline sequence in ``text`` ("\\n" when there is none)."""
    for index, char in enumerate(text):
        if char == "\n":
            return "\n"
        if char == "\r":
            return "\r\n" if text[index + 1 : index + 2] == "\n" else "\r"
    return "\n"


def read_bytes(path: Path) -> bytes:
    """Read a file's bytes (raises OSError with the OS's reason)."""
    with open(path, "rb") as handle:
        return handle.read()


def write_atomic(path: Path, new: bytes, expected_old: bytes) -> None:
    """Replace the file behind ``path`` with ``new``, atomically, keeping its permission bits.

    Symlinks are followed: the target is rewritten and the link stays a link.  The file is
    re-read first, and nothing is written if it no longer holds ``expected_old`` (it changed
    since it was read).  A temporary file in the same folder is written, flushed and renamed
    over the original, so a reader sees either the old or the new content, never a mix.
    Raises ``WriteError`` with the reason; on error the original file is untouched.
    """
    target = Path(os.path.realpath(path))
    try:
        current = read_bytes(target)
    except OSError as exc:
        raise WriteError(f"cannot re-read before writing: {exc.strerror or exc}") from None
    if current != expected_old:
        raise WriteError("the file changed since it was read; not overwritten")
    if new == current:
        return
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError as exc:
        raise WriteError(f"cannot stat: {exc.strerror or exc}") from None
    if not os.access(target, os.W_OK):
        # Renaming over it would succeed in a writable folder, but the owner marked it
        # read-only: respect that, as an in-place write would.
        raise WriteError("the file is read-only")
    tmp_name = None
    try:
        import tempfile  # (loaded by runs that write)

        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".guardfix.tmp", dir=str(target.parent)
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise WriteError(f"cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
