"""Results of earlier runs, reused when nothing they depend on has changed.

One *manifest* per run configuration (guardfix's code, the interpreter's grammar, the
options that change results, the current folder and the paths given) records, for every
file of the last run: its size, modification time, content hash and a hash of its import
lines; the result guardfix found for it; and which files were read as modules by the
cross-module analysis.

A file's result depends on other files (the modules its calls go through, the files that
import it), so a cached result is reused only when that cannot have changed:

* no file was added or removed, and every file read as a module is unchanged; then
* every unchanged file keeps its result, and each changed file is analysed again, provided
  its import lines are unchanged (so who-imports-whom is the same) and no other file's
  analysis read it as a module;
* otherwise every file is analysed again.

A file is "unchanged" when its size and modification time match, or, if they do not, when
its content hash does.  Manifests are written atomically (a temporary file, then a rename),
so concurrent runs never see half a manifest: the last run to finish wins.  A manifest that
cannot be read, parsed or understood is ignored, and the run proceeds as if cold.

A rerun answered from the cache alone (``fixer.warm``) reads manifests with this module
before click, rich or the analysis are loaded, so its module-level imports are the
standard library's cheapest (no dataclasses, no pathlib): the result types and the import
scanner are imported by the functions that need them.
"""

from __future__ import annotations

import marshal
import os
import sys
from zlib import crc32
from operator import itemgetter
from fixer import __version__

TYPE_CHECKING = False  # (typing itself costs a warm rerun several milliseconds)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

    from fixer.model import FileResult, Options

try:  # the interpreter's own SHA-256: hashlib would load OpenSSL first (a few ms per run)
    from _sha2 import sha256  # type: ignore[import-not-found]  # Python >= 3.12
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment]

#: 3: one row per file (stamp and the number of its result), each distinct result once;
#: hashes of 32 hex digits.  4: files named by others and inert files apart from the
#: modules read; the imports hash covers attribute words and sys.path additions.  5: the
#: same structure in a binary record (``encode_record``), no longer JSON text.  6: the
#: record checked by its length and CRC-32 instead of SHA-256.
FORMAT = 6
ENV_VAR = "GUARDFIX_CACHE_DIR"
#: How many run records the cache folder keeps (the least recently written go first).
KEEP = 64

def default_cache_dir() -> "Path":
    """``$GUARDFIX_CACHE_DIR``, else the platform's user cache folder + ``guardfix``."""
    from pathlib import Path

    return Path(default_cache_folder())


def default_cache_folder() -> str:
    """``default_cache_dir`` as a string (without loading pathlib)."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return os.path.expanduser(configured)
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(base, "guardfix", "Cache")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "guardfix")
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "guardfix")


_FINGERPRINT: List[str] = []


def code_fingerprint() -> str:
    """guardfix's version, the bytes of its own modules, and the interpreter's grammar."""
    if not _FINGERPRINT:
        digest = sha256(f"{__version__}|{sys.version_info[:2]}|{FORMAT}".encode())
        package = os.path.dirname(os.path.abspath(__file__))
        for name in sorted(entry for entry in os.listdir(package) if entry.endswith(".py")):
            digest.update(name.encode())
            with open(os.path.join(package, name), "rb") as handle:
                digest.update(handle.read())
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


#: Fingerprints remembered in a cache folder (``remembered_fingerprint``); the newest are kept.
KEEP_FINGERPRINTS = 8


def remembered_fingerprint(folder: str) -> str:
    """``code_fingerprint``, remembered in the cache ``folder`` under the status of guardfix's
    modules (name, size, modification and change times, inode): the warm path's key then
    costs a ``stat`` per module instead of reading and hashing all of them.  A module that
    is edited, replaced or touched has another status (its change time cannot be set back),
    so its fingerprint is computed again.  Never raises; writes only into an existing folder."""
    if _FINGERPRINT:
        return _FINGERPRINT[0]
    package = os.path.dirname(os.path.abspath(__file__))
    try:
        names = sorted(entry for entry in os.listdir(package) if entry.endswith(".py"))
        statuses = []
        for name in names:
            st = os.stat(os.path.join(package, name))
            statuses.append(f"{name}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}")
    except OSError:
        return code_fingerprint()
    signature = sha256("|".join([__version__, str(sys.version_info[:2]), str(FORMAT), package, *statuses]).encode())
    memo = os.path.join(folder, f"code-{signature.hexdigest()[:32]}")
    try:
        with open(memo, "rb") as handle:
            known = handle.read().decode("ascii")
        if len(known) == 64 and all(c in "0123456789abcdef" for c in known):
            _FINGERPRINT.append(known)
            return known
    except (OSError, UnicodeDecodeError):
        pass
    fingerprint = code_fingerprint()
    if os.path.isdir(folder):
        _remember(folder, memo, fingerprint)
    return fingerprint


def _remember(folder: str, memo: str, fingerprint: str) -> None:
    tmp = f"{memo}.{os.getpid()}.tmp"
    try:
        with open(tmp, "x", encoding="ascii") as handle:
            handle.write(fingerprint)
        os.replace(tmp, memo)
        memos = [os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("code-") and "." not in n]
        memos.sort(key=lambda path: os.stat(path).st_mtime_ns, reverse=True)
        for stale in memos[KEEP_FINGERPRINTS:]:
            os.unlink(stale)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def run_key(options: "Options", cwd: "Path | str", roots: Iterable[str]) -> str:
    search = options.search
    return key_of(
        style=options.style.value,
        main_name=options.main_name,
        unsafe_fixes=options.unsafe_fixes,
        extra_spawners=options.extra_spawners,
        select=options.select,
        ignore=options.ignore,
        cwd=cwd,
        roots=roots,
        src=None if search is None else search.src,
        environment=None if search is None else search.environment.folders,
        hidden=() if search is None else search.environment.hidden,
    )


def key_of(
    style: str,
    main_name: Optional[str],
    unsafe_fixes: bool,
    extra_spawners: Sequence[str],
    select: Sequence[str],
    ignore: Sequence[str],
    cwd: "Path | str",
    roots: Iterable[str],
    src: Optional[Sequence[str]],
    environment: Sequence[str] = (),
    hidden: Iterable[str] = (),
    fingerprint: Optional[str] = None,
) -> str:
    """``run_key`` from plain values (``src`` None: no search settings), so that the warm
    path computes the same key without building ``Options``.  ``fingerprint``: the
    ``code_fingerprint``, when the caller has it."""
    fields = [
        fingerprint or code_fingerprint(),
        style,
        main_name or "",
        str(unsafe_fixes),
        ",".join(sorted(extra_spawners)),
        ",".join(select),
        ",".join(ignore),
        os.path.realpath(cwd),
        *sorted(os.path.realpath(r) for r in roots),
    ]
    if src is not None:  # other import roots can change every answer
        fields += ["src", *src, "env", *environment]
        fields += sorted(hidden)
    return sha256("\0".join(fields).encode()).hexdigest()


#: Hex digits kept of a content or imports hash: 128 bits tell files apart as well as 256
#: (nothing here defends against a crafted collision), and half of a manifest was digits.
HASH_DIGITS = 32


def content_hash(data: bytes) -> str:
    return sha256(data).hexdigest()[:HASH_DIGITS]


def imports_hash(data: bytes, attributes: Optional[set] = None, adds_path: Optional[bool] = None) -> str:
    """A hash of what the triage reads off a file apart from its process APIs: every line
    that mentions ``import`` (whitespace-insensitive), the attributes named of plainly
    imported packages (``cm.cluster``), and whether it adds folders to ``sys.path``.
    Unchanged means the file imports the same modules as before, and every other file's
    triage sees it as before.  ``attributes`` (``attribute_words``) and ``adds_path``
    (``bytes_add_to_path``): when the caller has them already."""
    from fixer.facts import attribute_words, bytes_add_to_path, import_regions

    regions = import_regions(data)
    if attributes is None:
        attributes = attribute_words(data, regions)
    if adds_path is None:
        adds_path = bytes_add_to_path(data)
    lines = [line.strip() for line in regions.split(b"\n")]
    lines.append(b"\0" + b" ".join(sorted(attributes)))
    lines.append(b"\0sys.path" if adds_path else b"\0")
    return sha256(b"\n".join(lines)).hexdigest()[:HASH_DIGITS]


class Stamp(tuple):
    """What a file looked like when it was analysed: ``(size, mtime_ns, sha, imports)``.

    A tuple (as ``collections.namedtuple`` builds one, without its import): a warm rerun
    makes one per file, and a frozen dataclass costs several times more to create."""

    __slots__ = ()

    def __new__(cls, size: int, mtime_ns: int, sha: str, imports: str) -> "Stamp":
        return tuple.__new__(cls, (size, mtime_ns, sha, imports))

    size = property(itemgetter(0))
    mtime_ns = property(itemgetter(1))
    sha = property(itemgetter(2))
    imports = property(itemgetter(3))

    def __getnewargs__(self) -> tuple:  # (pickled for worker processes)
        return tuple(self)

    def __repr__(self) -> str:
        return "Stamp(size={!r}, mtime_ns={!r}, sha={!r}, imports={!r})".format(*self)

    @classmethod
    def of(cls, path: "Path", data: bytes, before: Optional[os.stat_result] = None, imports: str = "") -> "Stamp":
        """The stamp of ``data`` read from ``path``.  ``before`` is the file's status taken
        *before* reading: a later edit then always shows as a new modification time.
        ``imports``: its ``imports_hash``, when the caller has it."""
        if before is None:
            try:
                before = os.stat(path)
            except OSError:
                before = None
        mtime = before.st_mtime_ns if before is not None and before.st_size == len(data) else -1
        return cls(len(data), mtime, content_hash(data), imports or imports_hash(data))

    @staticmethod
    def stat(path: "Path") -> Optional[os.stat_result]:
        try:
            return os.stat(path)
        except OSError:
            return None


def result_to_json(result: "FileResult") -> dict:
    return {
        "status": result.status.value,
        "reason": result.reason,
        "notes": list(result.notes),
        "findings": [
            [f.code.value, f.line, f.col, f.message, f.end_line, f.end_col,
             [[s.label, s.line, s.path, s.callee_path, s.callee_line] for s in f.chain]]
            for f in result.findings
        ],
    }


def result_from_json(path: "Path", display: str, data: dict) -> "FileResult":
    from fixer.model import ChainStep, Code, FileResult, Finding, Status

    findings = tuple(
        Finding(Code(code), line, col, message, tuple(ChainStep(*step) for step in chain), end_line, end_col)
        for code, line, col, message, end_line, end_col, chain in data["findings"]
    )
    return FileResult(
        path, display, Status(data["status"]), findings, reason=data["reason"], notes=tuple(data["notes"])
    )


class Manifest:
    """The last run of one configuration.

    On disk (``to_json``) every file is one row, ``[realpath, size, mtime_ns, sha, imports,
    result number]``, and each distinct result is written once: most files of a tree share
    one of a few results ("skipped: no process-starting API is mentioned"), and a warm
    rerun's cost is mostly reading this file.  A module that is also a discovered file is
    written as that file's row number.

    What a result may rest on, apart from the file itself: ``modules``, every file the
    analysis read (an edit of one makes every result stale); ``named``, files that other
    files' import lines spell (an edit may change what they can start, and so what the
    triage sends on: stale too), unless the file is also ``inert`` (the triage left it out
    on its own bytes and never asked about it: an edit that keeps its imports and names no
    process API changes nothing else; ``plan_reuse``).
    """

    def __init__(
        self,
        stamps: Optional[Dict[str, Stamp]] = None,
        results: Optional[Dict[str, dict]] = None,
        modules: Optional[Dict[str, Stamp]] = None,
        worth: Optional[List[str]] = None,
        named: Optional[Set[str]] = None,
        inert: Optional[Set[str]] = None,
        prefilter: Optional[list] = None,
    ) -> None:
        self.stamps: Dict[str, Stamp] = {} if stamps is None else stamps  # realpath -> stamp (discovered files)
        self.results: Dict[str, dict] = {} if results is None else results  # realpath -> result_to_json
        self.modules: Dict[str, Stamp] = {} if modules is None else modules  # realpath -> stamp (read as modules)
        self.worth: List[str] = [] if worth is None else worth  # realpaths of the files that could start processes
        self.named: Set[str] = set() if named is None else named  # realpaths (discovered files) others may import
        self.inert: Set[str] = set() if inert is None else inert  # realpaths the triage left out on their bytes alone
        #: [prefilter tokens as [[library, [spawner, ...]], ...], catalogued library names]:
        #: what the warm path needs to tell whether an edited inert file still names no
        #: process API (``settler``) without loading the catalogue.
        self.prefilter: list = [] if prefilter is None else prefilter

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Manifest) and (
            self.stamps, self.results, self.modules, self.worth, self.named, self.inert, self.prefilter) == (
            other.stamps, other.results, other.modules, other.worth, other.named, other.inert, other.prefilter)

    def __repr__(self) -> str:
        return f"Manifest({len(self.stamps)} files, {len(self.modules)} modules)"

    def to_json(self) -> dict:
        from json import dumps

        numbers: Dict[str, int] = {}  # a result's JSON text -> its number
        distinct: List[dict] = []
        rows: List[list] = []
        row_of: Dict[str, int] = {}
        for path, stamp in self.stamps.items():
            result = self.results.get(path)
            number = -1
            if result is not None:
                text = dumps(result, sort_keys=True)
                number = numbers.setdefault(text, len(distinct))
                if number == len(distinct):
                    distinct.append(result)
            row_of[path] = len(rows)
            rows.append([path, *stamp, number])
        modules = [
            row_of[path] if path in row_of and self.stamps[path] == stamp else [path, *stamp]
            for path, stamp in self.modules.items()
        ]
        named = sorted(row_of[path] for path in self.named if path in row_of)
        inert = sorted(row_of[path] for path in self.inert if path in row_of)
        return {"format": FORMAT, "files": rows, "results": distinct, "modules": modules, "worth": self.worth,
                "named": named, "inert": inert, "prefilter": self.prefilter}

    @classmethod
    def from_json(cls, raw: dict) -> "Manifest":
        if raw.get("format") != FORMAT:
            raise ValueError("another cache format")
        distinct = raw["results"]
        rows = raw["files"]
        if not all(len(row) == 6 for row in rows):
            raise ValueError("files: not rows of six")
        new = tuple.__new__  # (Stamp's own __new__ is a Python call: this is the warm path's loop)
        stamps: Dict[str, Stamp] = {row[0]: new(Stamp, row[1:5]) for row in rows}
        results: Dict[str, dict] = {row[0]: distinct[row[5]] for row in rows if row[5] >= 0}
        modules: Dict[str, Stamp] = {}
        for entry in raw["modules"]:
            if isinstance(entry, int):
                path = rows[entry][0]
                modules[path] = stamps[path]
            else:
                path, size, mtime, sha, imports = entry
                modules[path] = Stamp(size, mtime, sha, imports)
        if not all(isinstance(real, str) for real in raw["worth"]):
            raise ValueError("worth: not a list of paths")
        named = {rows[number][0] for number in raw["named"]}
        inert = {rows[number][0] for number in raw["inert"]}
        prefilter = raw["prefilter"]
        if prefilter and not (isinstance(prefilter, list) and len(prefilter) == 2):
            raise ValueError("prefilter: not [tokens, libraries]")
        manifest = cls(stamps, results, modules, list(raw["worth"]), named, inert, prefilter)
        manifest._raw = raw
        return manifest

    def restamped_json(self, restamped: Dict[str, Stamp]) -> dict:
        """``to_json`` of this manifest with new stamps for some of its files (whose results
        stand), made from the record it was read from when there is one: the warm path
        saves it so, without numbering every result again."""
        raw = getattr(self, "_raw", None)
        self.stamps.update(restamped)
        if raw is None:
            return self.to_json()
        rows = [[row[0], *restamped[row[0]], row[5]] if row[0] in restamped else row for row in raw["files"]]
        return {**raw, "files": rows}

    @staticmethod
    def prefilter_of(tokens: tuple, libraries: Iterable[str]) -> list:
        """``prefilter`` of a run with these prefilter tokens and catalogued libraries."""
        return [[[root.decode(), [leaf.decode() for leaf in leaves]] for root, leaves in tokens], sorted(libraries)]

    def settler(self) -> Optional[Callable[[str, bytes], bool]]:
        """``plan_reuse``'s ``settle`` under the prefilter this manifest was made with (None
        when it does not say)."""
        if not self.prefilter:
            return None
        prefilter = self.prefilter
        made: list = []

        def settle(real: str, data: bytes) -> bool:
            if not made:  # (the byte-level facts load only once a file has changed)
                from fixer.facts import names_process_api, top_package

                tokens = tuple((root.encode(), tuple(leaf.encode() for leaf in leaves)) for root, leaves in prefilter[0])
                made.append(lambda real, data: not names_process_api(data, top_package(real), tokens, frozenset(prefilter[1])))
            return made[0](real, data)

        return settle


class Cache:
    """The manifest of one run configuration, in ``folder``."""

    def __init__(self, folder: "Path | str", key: str) -> None:
        self.folder = os.fspath(folder)
        self.path = manifest_path(self.folder, key)
        self.warning = ""  # set when the cache could not be used (said once, never fatal)

    def load(self) -> Optional[Manifest]:
        return load_manifest(self.path)

    def save(self, manifest: Manifest, restamped: Optional[Dict[str, Stamp]] = None) -> None:
        """Write ``manifest`` (with the new stamps ``restamped``, when given)."""
        record = manifest.to_json() if restamped is None else manifest.restamped_json(restamped)
        try:
            write_record(self.path, encode_record(record))
            # every configuration and set of paths (pre-commit passes a different one each
            # time) has its own record: they must not pile up
            prune_records(self.folder, "run-*" + RECORD_SUFFIX, KEEP)
            prune_records(self.folder, "run-*.json", 0)  # records of format 4 and older
        except OSError as exc:
            self.warning = f"cache not saved in {self.folder}: {exc.strerror or exc}"


def write_record(path: "Path | str", data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, renamed
    over it (readers see the old record or the new one, never half of one).  Raises
    OSError; the temporary file never stays behind.  (``os`` only: the warm path saves
    with it, and ``tempfile`` costs more to import than the write.)"""
    folder, name = os.path.split(os.fspath(path))
    os.makedirs(folder, exist_ok=True)
    stem = name.split("-", 1)[0]
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)
    while True:
        tmp = os.path.join(folder, f".{stem}-{os.urandom(6).hex()}.tmp")
        try:
            fd = os.open(tmp, flags, 0o600)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def prune_records(folder: "Path | str", pattern: str, keep: int) -> None:
    """Keep the ``keep`` most recently written files of ``folder`` matching ``pattern``
    (one ``*``: ``run-*.rec``)."""
    prefix, _, suffix = pattern.partition("*")
    records = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(prefix) and entry.name.endswith(suffix) and len(entry.name) > len(pattern) - 1:
                    try:
                        records.append((entry.stat().st_mtime_ns, entry.path))
                    except OSError:
                        pass
    except OSError:
        return
    records.sort(reverse=True)
    for _, stale in records[keep:]:
        try:
            os.unlink(stale)
        except OSError:
            pass


def manifest_path(folder: str, key: str) -> str:
    """Where the manifest of the run configuration ``key`` is kept in ``folder``."""
    return os.path.join(folder, f"run-{key[:32]}{RECORD_SUFFIX}")


#: A run record on disk: this tag, the payload's length (8 bytes) and CRC-32 (4 bytes,
#: little-endian), then the payload, ``marshal`` of the manifest's ``to_json`` structure
#: (lists, dicts, strings, numbers).  ``marshal`` is built in and reads a manifest in half
#: the time ``json`` does, with nothing to import (the warm path paid ~5 ms for ``json``);
#: the length and checksum are checked before ``marshal`` reads a byte, so a truncated or
#: damaged record is ignored, never half-read (``marshal`` is not meant to read damaged
#: data).  The record guards against accidents, not tampering, so a CRC does: SHA-256 of a
#: 1 MB record was a tenth of a warm run's instructions.  The interpreter's version is in
#: every run key, so one interpreter's records are never read by another.
RECORD_TAG = b"guardfix-run\x00\x06"
RECORD_SUFFIX = ".rec"
_RECORD_HEADER = len(RECORD_TAG) + 12


def encode_record(record: dict) -> bytes:
    """The bytes of a run record holding ``record`` (a ``to_json`` structure)."""
    payload = marshal.dumps(record)
    return RECORD_TAG + len(payload).to_bytes(8, "little") + crc32(payload).to_bytes(4, "little") + payload


def decode_record(data: bytes) -> dict:
    """The structure ``encode_record`` wrote.  Raises ValueError for anything else (another
    format, a damaged or truncated record)."""
    if not data.startswith(RECORD_TAG) or len(data) < _RECORD_HEADER:
        raise ValueError("not a guardfix run record")
    payload = memoryview(data)[_RECORD_HEADER:]
    length = int.from_bytes(data[len(RECORD_TAG):len(RECORD_TAG) + 8], "little")
    checksum = int.from_bytes(data[len(RECORD_TAG) + 8:_RECORD_HEADER], "little")
    if length != len(payload) or crc32(payload) != checksum:
        raise ValueError("a damaged run record")
    record = marshal.loads(payload)
    if not isinstance(record, dict):
        raise ValueError("not a guardfix run record")
    return record


def load_manifest(path: str) -> Optional[Manifest]:
    """The manifest at ``path``, or None when there is none or it cannot be understood
    (corrupt, truncated or from another version: the run starts cold)."""
    try:
        with open(path, "rb") as handle:
            raw = decode_record(handle.read())
        return Manifest.from_json(raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError, IndexError):
        return None


def unchanged(path: str, old: Stamp) -> bool:
    """Whether ``path`` still has ``old``'s content: same size and modification time, or,
    when only the time differs, the same content hash."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    if st.st_size != old.size:
        return False
    if st.st_mtime_ns == old.mtime_ns and old.mtime_ns != -1:
        return True
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    return content_hash(data) == old.sha


def _same_stat(path: str, old: Stamp) -> bool:
    """``unchanged``'s first test alone (size and modification time), inlined for speed."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_mtime_ns == old[1] and st.st_size == old[0] and old[1] != -1


def plan_reuse(
    manifest: Optional[Manifest],
    files: List[str],
    partial: bool = True,
    settle: Optional[Callable[[str, bytes], bool]] = None,
) -> Tuple[Dict[str, dict], str, Dict[str, Stamp], Set[str]]:
    """Which cached results can be reused for ``files`` (realpaths), and why not if none.

    Returns (reusable results by realpath, reason when everything must be analysed again,
    new stamps of the changed files whose results are reused, changed files whose results
    are reused only if a new triage finds what every file can start unchanged).
    ``partial=False``: a result is reused only if it cannot have changed: one file that
    needs analysing again and nothing is reused (the warm path, which cannot analyse).

    A changed file is analysed again, and alone, unless something else may rest on it: a
    module the analysis read (``Manifest.modules``) or a file whose imports changed (then
    everything is analysed again).  An inert file (``Manifest.inert``) whose imports are
    unchanged and for which ``settle(realpath, new bytes)`` says it still names no process
    API keeps its result ("skipped") and changes nobody's: it is reused with its new stamp.
    A file that other files' imports name (``Manifest.named``) may now start processes, or
    no longer: the other results stand only if the triage, asked again, finds that every
    file can start processes as before (the runner checks; the last set returned).
    """
    if manifest is None:
        return {}, "no cache yet", {}, set()
    if set(files) != set(manifest.stamps):
        return {}, "files were added or removed", {}, set()
    stamps = manifest.stamps
    for path, stamp in manifest.modules.items():
        if path not in stamps and not _same_stat(path, stamp) and not unchanged(path, stamp):
            return {}, f"{path} changed", {}, set()
    changed: List[str] = []
    for path in files:
        stamp = stamps[path]
        if not _same_stat(path, stamp) and not unchanged(path, stamp):
            changed.append(path)
    stale: Set[str] = set()
    restamped: Dict[str, Stamp] = {}
    retriage: Set[str] = set()
    for path in changed:
        if path in manifest.modules:
            return {}, f"{path} changed and other files depend on it", {}, set()
        before = Stamp.stat(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return {}, f"{path} cannot be read", {}, set()
        stamp = Stamp.of(path, data, before)  # type: ignore[arg-type]
        if stamp.imports != manifest.stamps[path].imports:
            return {}, f"{path} changed its imports", {}, set()
        if path in manifest.inert and settle is not None and path in manifest.results and settle(path, data):
            restamped[path] = stamp
        elif not partial:
            return {}, f"{path} changed", {}, set()
        else:
            stale.add(path)
            if path in manifest.named:
                retriage.add(path)
    return {p: r for p, r in manifest.results.items() if p not in stale}, "", restamped, retriage


__all__ = [
    "Cache",
    "Manifest",
    "Stamp",
    "code_fingerprint",
    "default_cache_dir",
    "default_cache_folder",
    "key_of",
    "remembered_fingerprint",
    "decode_record",
    "encode_record",
    "load_manifest",
    "manifest_path",
    "plan_reuse",
    "result_from_json",
    "result_to_json",
    "run_key",
]
