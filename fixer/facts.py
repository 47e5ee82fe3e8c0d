"""What the triage reads off a file's bytes: its import lines, the process APIs it names, the
attributes it names of packages it imports, whether it adds to ``sys.path``.

Regular expressions and ``os.path`` only, so that the warm path (``fixer.warm``) can ask
them of an edited file without loading the catalogue, the analysis or ``ast``: an edit of a
file the triage left out on its bytes alone is settled here (``fixer.cache.plan_reuse``).
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache

def mentions_tokens(data: bytes, groups: tuple) -> bool:
    """The byte-level prefilter: some library is imported (its name follows ``import`` or
    ``from``), and one of its spawners occurs as a whole word (``Process`` inside
    ``logProcesses`` does not count).  Substring tests first, on the import lines only:
    most files stop there."""
    imports = import_regions(data)  # one pass over the file; the rest reads far less
    for root, leaves in groups:
        if root in imports and _import_pattern(root).search(imports) and _leaf_pattern(leaves).search(data):
            return True
    return False


@lru_cache(maxsize=4)  # the prefilter, the import scan and the cache stamp ask about the same bytes
def import_regions(data: bytes) -> bytes:
    """Every line of ``data`` that holds the word ``import`` (a parenthesised name list is
    followed to its closing parenthesis), joined with newlines.  An import statement always
    spells ``import`` on its first line, so regular expressions over import statements can
    run on this instead of the whole file (a small fraction of it)."""
    parts = []
    find, rfind = data.find, data.rfind
    pos = find(b"import")
    while pos != -1:
        start = rfind(b"\n", 0, pos) + 1
        end = find(b"\n", pos)
        if end == -1:
            end = len(data)
        line = data[start:end]
        if b"(" in line and b")" not in line[line.index(b"("):]:
            close = find(b")", end)
            if close != -1:
                end = find(b"\n", close)
                if end == -1:
                    end = len(data)
        parts.append(data[start:end])
        pos = find(b"import", end)
    return b"\n".join(parts) + b"\n"


#: A word of source bytes: an identifier, or a module name (non-ASCII letters, as UTF-8
#: bytes, stay in the word).  A name is only ever referred to as a whole word.
WORD = re.compile(rb"[\w\x80-\xff]+")


_PLAIN_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([^\n#;]+)", re.M)
_IDENTIFIER = re.compile(rb"[A-Za-z_]\w*")
_ASCII_WORD = re.compile(rb"\w+")
_STDLIB = frozenset(os.fsencode(name) for name in getattr(sys, "stdlib_module_names", ()))


def attribute_words(data: bytes, regions: bytes) -> set:
    """The words that follow, after a dot, the name a plain ``import`` binds (``import
    caiman as cm`` ... ``cm.cluster``: ``b"cluster"``), standard-library modules aside: the
    submodules a file may reach as attributes of a package it imports (the triage's import
    words; see ``attribute_submodules``).  ``regions``: ``import_regions(data)``."""
    bound = set()
    for match in _PLAIN_IMPORT.finditer(regions):
        for item in match.group(1).split(b","):
            parts = item.split()
            if len(parts) >= 3 and parts[1] == b"as":
                bound.add(parts[2])
            elif parts and parts[0].split(b".")[0] not in _STDLIB:
                bound.add(parts[0].split(b".")[0])
    found: set = set()
    find, word_at = data.find, _ASCII_WORD.match
    for name in bound:
        if not _IDENTIFIER.fullmatch(name):
            continue
        needle = name + b"."
        position = find(needle)
        while position != -1:  # (a substring search: a regular expression opening with \b
            # and an alternation is tried at every position of the file)
            if position == 0 or not _ASCII_WORD.fullmatch(data[position - 1:position]):
                word = word_at(data, position + len(needle))
                if word is not None:
                    found.add(word.group())
            position = find(needle, position + 1)
    return found


def names_process_api(data: bytes, top: str, groups: tuple, libraries: "frozenset[str]") -> bool:
    """Whether the triage reads a process API off a file's bytes by themselves: a
    catalogued library imported and one of its spawners named (``mentions_tokens``), or,
    for a file inside a catalogued library (``top``: its top-level package, see
    ``top_package``; ``libraries``: the catalogued libraries' top-level names), one of that
    library's spawners."""
    if mentions_tokens(data, groups):
        return True
    return top in libraries and mentions_spawner_of(data, top, groups)


def top_package(real: str) -> str:
    """The name of the top-level package the file ``real`` belongs to (its own module name
    outside any package): folders holding ``__init__.py`` are climbed."""
    folder, name = os.path.split(real)
    top = name[:-3] if name.endswith(".py") else name
    while os.path.lexists(os.path.join(folder, "__init__.py")) and os.path.dirname(folder) != folder:
        folder, top = os.path.split(folder)
    return top


def mentions_spawner_of(data: bytes, root: str, groups: tuple) -> bool:
    """For files inside a catalogued package itself (``from .pool import Pool`` never spells
    the package name): one of its spawners occurs as a whole word."""
    for group_root, leaves in groups:
        if group_root == root.encode():
            return bool(_leaf_pattern(leaves).search(data))
    return False


@lru_cache(maxsize=64)
def _import_pattern(root: bytes) -> "re.Pattern[bytes]":
    item = rb"[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*"
    # importlib.import_module("multiprocessing") imports it too (the analysis follows a
    # literal name); the line spells "import", so it is among the import regions
    dynamic = rb"|\bimport_module\([ \t]*[\"']" + re.escape(root) + rb"\b"
    return re.compile(rb"\b(?:from|import)[ \t]+(?:" + item + rb")*" + re.escape(root) + rb"\b" + dynamic)


@lru_cache(maxsize=64)
def _leaf_pattern(leaves: tuple[bytes, ...]) -> "re.Pattern[bytes]":
    return re.compile(rb"\b(?:" + b"|".join(re.escape(leaf) for leaf in leaves) + rb")\b")


# ----- folders a file adds to sys.path ------------------------------------------------------
_ADDITION = re.compile(r"sys\.path\.(?:insert|append|extend)[ \t]*\(|addsitedir[ \t]*\(")
_DEFINITION = re.compile(r"[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]")
_ADDITION_BYTES = re.compile(_ADDITION.pattern.encode())
_DEFINITION_BYTES = re.compile(_DEFINITION.pattern.encode())


def may_add_to_path(text: str) -> bool:
    """Whether the module may add to ``sys.path`` outside its functions and classes: a cheap
    superset of what ``path_additions`` finds (most modules that touch ``sys.path`` do so in
    functions, and need not be parsed for it).  Looks at indentation only: a call counts
    unless the nearest less indented line above it opens a ``def`` or ``class``."""
    if "sys.path" not in text and "addsitedir" not in text:
        return False
    return _adds_outside_definitions(text, _ADDITION, _DEFINITION, "\n", " \t", "#")


def _matches_at(text, literals, pattern):
    """``pattern.finditer(text)`` for a pattern every match of which starts with one of
    ``literals``: a substring search finds the candidates (a regular expression that opens
    with an alternation is tried at every position of the file)."""
    starts = []
    for literal in literals:
        position = text.find(literal)
        while position != -1:
            starts.append(position)
            position = text.find(literal, position + 1)
    end = -1
    for start in sorted(starts):
        if start < end:
            continue  # (inside the previous match)
        match = pattern.match(text, start)
        if match is not None:
            end = match.end()
            yield match


def _adds_outside_definitions(text, addition, definition, newline, blanks, comment) -> bool:
    """``may_add_to_path`` over ``str`` or ``bytes`` (the separators given in that type)."""
    literals = ("sys.path.", "addsitedir") if isinstance(text, str) else (b"sys.path.", b"addsitedir")
    for match in _matches_at(text, literals, addition):
        start = text.rfind(newline, 0, match.start()) + 1
        line = text[start:match.start()]
        indent = len(line) - len(line.lstrip(blanks))
        end = start - 1  # walk the lines above, nearest first, without splitting the file
        while indent and end > 0:
            begin = text.rfind(newline, 0, end) + 1
            above = text[begin:end]
            end = begin - 1
            stripped = above.lstrip(blanks)
            if not stripped or stripped.startswith(comment):
                continue
            level = len(above) - len(stripped)
            if level < indent:
                if definition.match(above):
                    break  # inside a function or class: runs later, if ever
                indent = level
        if indent == 0:
            return True
    return False


def bytes_add_to_path(data: bytes) -> bool:
    """``may_add_to_path`` of a file's bytes (most files never spell ``sys.path``)."""
    if b"sys.path" not in data and b"addsitedir" not in data:
        return False
    return _adds_outside_definitions(data, _ADDITION_BYTES, _DEFINITION_BYTES, b"\n", b" \t", b"#")
