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
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from fixer import __version__
from fixer.model import ChainStep, Code, FileResult, Finding, Options, Status
from fixer.targets import import_regions

FORMAT = 2
ENV_VAR = "GUARDFIX_CACHE_DIR"
#: How many run records the cache folder keeps (the least recently written go first).
KEEP = 64

def default_cache_dir() -> Path:
    """``$GUARDFIX_CACHE_DIR``, else the platform's user cache folder + ``guardfix``."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "guardfix" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "guardfix"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "guardfix"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """guardfix's version, the bytes of its own modules, and the interpreter's grammar."""
    digest = hashlib.sha256(f"{__version__}|{sys.version_info[:2]}|{FORMAT}".encode())
    package = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(entry for entry in os.listdir(package) if entry.endswith(".py")):
        digest.update(name.encode())
        with open(os.path.join(package, name), "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def run_key(options: Options, cwd: Path, roots: Iterable[str]) -> str:
    fields = [
        code_fingerprint(),
        options.style.value,
        options.main_name or "",
        str(options.unsafe_fixes),
        ",".join(sorted(options.extra_spawners)),
        ",".join(options.select),
        ",".join(options.ignore),
        os.path.realpath(cwd),
        *sorted(os.path.realpath(r) for r in roots),
    ]
    if options.search is not None:  # other import roots can change every answer
        fields += ["src", *options.search.src, "env", *options.search.environment.folders]
        fields += sorted(options.search.environment.hidden)
    return hashlib.sha256("\0".join(fields).encode()).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def imports_hash(data: bytes) -> str:
    """A hash of every line that mentions ``import`` (whitespace-insensitive): unchanged
    means the file imports the same modules as before."""
    lines = import_regions(data).split(b"\n")
    return hashlib.sha256(b"\n".join(line.strip() for line in lines)).hexdigest()


@dataclass(frozen=True)
class Stamp:
    """What a file looked like when it was analysed."""

    size: int
    mtime_ns: int
    sha: str
    imports: str

    @classmethod
    def of(cls, path: Path, data: bytes, before: Optional[os.stat_result] = None) -> "Stamp":
        """The stamp of ``data`` read from ``path``.  ``before`` is the file's status taken
        *before* reading: a later edit then always shows as a new modification time."""
        if before is None:
            try:
                before = os.stat(path)
            except OSError:
                before = None
        mtime = before.st_mtime_ns if before is not None and before.st_size == len(data) else -1
        return cls(len(data), mtime, content_hash(data), imports_hash(data))

    @staticmethod
    def stat(path: Path) -> Optional[os.stat_result]:
        try:
            return os.stat(path)
        except OSError:
            return None


def result_to_json(result: FileResult) -> dict:
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


def result_from_json(path: Path, display: str, data: dict) -> FileResult:
    findings = tuple(
        Finding(Code(code), line, col, message, tuple(ChainStep(*step) for step in chain), end_line, end_col)
        for code, line, col, message, end_line, end_col, chain in data["findings"]
    )
    return FileResult(
        path, display, Status(data["status"]), findings, reason=data["reason"], notes=tuple(data["notes"])
    )


@dataclass
class Manifest:
    """The last run of one configuration."""

    stamps: Dict[str, Stamp] = field(default_factory=dict)  # realpath -> stamp (discovered files)
    results: Dict[str, dict] = field(default_factory=dict)  # realpath -> result_to_json
    modules: Dict[str, Stamp] = field(default_factory=dict)  # realpath -> stamp (read as modules)
    worth: List[str] = field(default_factory=list)  # realpaths of the files that could start processes

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "stamps": {p: list(s.__dict__.values()) for p, s in self.stamps.items()},
            "results": self.results,
            "modules": {p: list(s.__dict__.values()) for p, s in self.modules.items()},
            "worth": self.worth,
        }

    @classmethod
    def from_json(cls, raw: dict) -> "Manifest":
        if raw.get("format") != FORMAT:
            raise ValueError("another cache format")
        return cls(
            {p: Stamp(*s) for p, s in raw["stamps"].items()},
            dict(raw["results"]),
            {p: Stamp(*s) for p, s in raw["modules"].items()},
            list(raw["worth"]),
        )


class Cache:
    """The manifest of one run configuration, in ``folder``."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = Path(folder)
        self.path = self.folder / f"run-{key[:32]}.json"
        self.warning = ""  # set when the cache could not be used (said once, never fatal)

    def load(self) -> Optional[Manifest]:
        try:
            raw = json.loads(self.path.read_bytes())
            return Manifest.from_json(raw)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # corrupt, truncated or from another version: start cold

    def save(self, manifest: Manifest) -> None:
        import tempfile  # (a run that only reads the cache never needs it)

        data = json.dumps(manifest.to_json(), separators=(",", ":")).encode()
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".run-", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self.path)
            tmp = None
            self._prune()
        except OSError as exc:
            self.warning = f"cache not saved in {self.folder}: {exc.strerror or exc}"
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


    def _prune(self) -> None:
        """Keep the newest ``KEEP`` records: every configuration and set of paths (pre-commit
        passes a different one each time) has its own, and they must not pile up."""
        try:
            records = sorted(self.folder.glob("run-*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        except OSError:
            return
        for stale in records[KEEP:]:
            try:
                stale.unlink()
            except OSError:
                pass


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
        data = Path(path).read_bytes()
    except OSError:
        return False
    return content_hash(data) == old.sha


def plan_reuse(manifest: Optional[Manifest], files: List[str]) -> Tuple[Dict[str, dict], str]:
    """Which cached results can be reused for ``files`` (realpaths), and why not if none.

    Returns (reusable results by realpath, reason when everything must be analysed again).
    """
    if manifest is None:
        return {}, "no cache yet"
    if set(files) != set(manifest.stamps):
        return {}, "files were added or removed"
    for path, stamp in manifest.modules.items():
        if path not in manifest.stamps and not unchanged(path, stamp):
            return {}, f"{path} changed"
    changed: List[str] = []
    for path in files:
        if not unchanged(path, manifest.stamps[path]):
            changed.append(path)
    for path in changed:
        if path in manifest.modules:
            return {}, f"{path} changed and other files depend on it"
        try:
            data = Path(path).read_bytes()
        except OSError:
            return {}, f"{path} cannot be read"
        if imports_hash(data) != manifest.stamps[path].imports:
            return {}, f"{path} changed its imports"
    stale = set(changed)
    return {p: r for p, r in manifest.results.items() if p not in stale}, ""


__all__ = [
    "Cache",
    "Manifest",
    "Stamp",
    "code_fingerprint",
    "default_cache_dir",
    "plan_reuse",
    "result_from_json",
    "result_to_json",
    "run_key",
]
