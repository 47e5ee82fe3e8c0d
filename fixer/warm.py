"""The warm path: a rerun answered from the cache alone, before click, rich or the analysis load.

``guardfix`` and ``python -m fixer`` call ``main`` here first.  ``answer`` recognises the
common invocations (``guardfix [--check | --diff] [-q] PATH...`` and the options that only
choose results: ``--select``, ``--ignore``, ``--style``, excludes, ``--cache-dir``...), finds
the files exactly as ``fixer.discover`` does (the same ``fixer.walk``), computes the run's
cache key as ``fixer.runner`` does (``fixer.cache.key_of``), and checks every file's stamp
and every module the results rest on (``fixer.cache.plan_reuse``).  When every result is
reusable and none needs the analysis (``--diff`` must recompute a fix to show it), it prints
what the normal path would print -- the same bytes on stdout and stderr, the same exit
code -- and returns that code.

Anything it cannot decide it leaves to the normal path, silently and before writing a byte:
options it does not know, ``--write``, ``-v``, review mode at a terminal, stdin, a terminal
on stdout or stderr (rich decorates what it prints there), a ``--python``, a changed, added
or removed file, a result with a fix in ``--diff`` mode, a message rich would print
differently (control characters), ``$GUARDFIX_NO_FASTPATH``.  A configuration file is read
with ``fixer.config`` itself, which costs more but reads it the same way.

Imports: ``os`` and ``sys`` here, ``fixer.cache`` (``json``) and ``fixer.walk``; anything
heavier (``fixer.config``, ``fixer.formats``) only for the runs that need it.
"""

from __future__ import annotations

import gc
import os
import sys

from fixer.sites import OWN_DEPENDENCIES, absent_spawners, has_project_marker, own_site_packages, presence_folders
from fixer.sites import project_venv, pth_folders, with_absent
from fixer.sites import PROJECT_MARKERS  # noqa: F401 -- (named here by the tests)

TYPE_CHECKING = False  # (typing's own costs this path several milliseconds)
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

#: Set (to anything but "" or "0") to always take the normal path.
DISABLE_ENV = "GUARDFIX_NO_FASTPATH"
#: A file that each run appends its path to: "warm" or "full: <why>" (for the tests).
TRACE_ENV = "GUARDFIX_FASTPATH_TRACE"

NOT_A_TERMINAL = "not a terminal: showing the fixes as a diff; nothing is written (use --write to apply)"
NO_SCRIPTS = "no Python scripts found in the given paths"
PREFILTER_REASON = "no process-starting API is mentioned"  # fixer.model.PREFILTER_REASON
#: rich's Console reads these; with any of them set, what it prints is not plain text.
RICH_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "DATABRICKS_RUNTIME_VERSION")


FLAGS = {
    "--check": ("mode", "check"), "--diff": ("mode", "diff"), "--write": ("mode", "write"),
    "-q": ("quiet", True), "--quiet": ("quiet", True),
    "--color": ("color", True), "--no-color": ("color", False),
    "--unsafe-fixes": ("unsafe_fixes", True), "--no-unsafe-fixes": ("unsafe_fixes", False),
    "--respect-gitignore": ("respect_gitignore", True), "--no-respect-gitignore": ("respect_gitignore", False),
}
#: Options with a value: the parameter each sets, and whether it may be repeated.
VALUED = {
    "--output-format": ("output_format", False), "--style": ("style", False), "--main-name": ("main_name", False),
    "--extra-spawner": ("extra_spawner", True), "--select": ("select", True), "--ignore": ("ignore", True),
    "--exclude": ("exclude", True), "--extend-exclude": ("extend_exclude", True),
    "-j": ("jobs", False), "--jobs": ("jobs", False), "--cache-dir": ("cache_dir", False),
    "--config": ("config", False), "--src": ("src", True),
}
FORMATS = ("text", "json", "github", "sarif")


class Fallback(Exception):
    """The normal path must answer; ``str()`` says why (for the trace)."""


def main() -> None:
    """The console entry point: the warm path when it can answer, else the command itself."""
    # The warm path makes many small objects (the record's tuples) and keeps them to the
    # end: the cyclic collector would walk them for nothing (about 2% of a warm run).
    gc.disable()
    try:
        code = answer(sys.argv[1:])
    finally:
        gc.enable()
    if code is not None:
        _exit_now(code)
    from fixer.cli import main as full

    full()


def _exit_now(code: int) -> None:
    """End the process with ``code`` once everything printed is flushed, without the
    interpreter's teardown: freeing every object of the record one by one, and a last
    collection, were a tenth of a warm run.  Nothing else is open by then (the record and
    the trace are written and closed).  If a stream cannot be flushed, the ordinary exit
    reports it as it always would, and so does a run under a profiler or a tracer
    (coverage, cProfile), whose results are written at exit."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


def answer(argv: List[str]) -> Optional[int]:
    """The exit code of ``guardfix argv`` after printing its output, when the cache alone
    answers it; None (having written nothing) when the normal path must run."""
    if os.environ.get(DISABLE_ENV, "") not in ("", "0"):
        _trace("full: disabled")
        return None
    try:
        events, code = _answer(argv)
    except Fallback as why:
        _trace(f"full: {why}")
        return None
    except Exception as exc:  # never a different answer: anything unexpected is the normal path's
        _trace(f"full: {type(exc).__name__}: {exc}")
        return None
    _emit(events)
    _trace("warm")
    return code


def _trace(message: str) -> None:
    target = os.environ.get(TRACE_ENV)
    if target:
        try:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(message + "\n")
        except OSError:
            pass


def _emit(events: List[Tuple[int, object]]) -> None:
    """Write in order, flushing as the normal path does (stdout as bytes, stderr as text)."""
    for stream, data in events:
        if stream == 1:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)  # type: ignore[arg-type]
            sys.stdout.buffer.flush()
        else:
            sys.stderr.write(data)  # type: ignore[arg-type]
            sys.stderr.flush()


# ----- the command line ------------------------------------------------------------------------
def parse_args(argv: List[str]) -> Tuple[dict, List[str]]:
    """(parameters given, paths) for the invocations this path knows; ``Fallback`` for the
    rest (click then reports what is wrong, or runs what is right)."""
    given: dict = {}
    paths: List[str] = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if not arg.startswith("-"):
            paths.append(arg)
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in FLAGS and not eq:
            key, flag = FLAGS[name]
            if key == "mode":
                given.setdefault("modes", set()).add(flag)
            else:
                given[key] = flag
        elif name in VALUED:
            if not eq:
                if not args or args[0].startswith("-"):
                    raise Fallback(f"{name} without a plain value")
                value = args.pop(0)
            key, repeated = VALUED[name]
            if repeated:
                given.setdefault(key, []).append(value)
            else:
                given[key] = value
        else:
            raise Fallback(f"option {arg!r}")
    return given, paths


def _check_terminals() -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.isatty():
            raise Fallback("a terminal (or no stream)")
    if any(name in os.environ for name in RICH_ENV):
        raise Fallback("rich is configured by the environment")
    if os.name != "posix":
        raise Fallback("not a POSIX system")


def posix_path(text: str) -> str:
    """``str(pathlib.PurePosixPath(text))``: repeated and trailing slashes and ``.``
    components dropped (what click's ``Path`` type hands the command)."""
    if text.startswith("//") and not text.startswith("///"):
        root = "//"
    elif text.startswith("/"):
        root = "/"
    else:
        root = ""
    parts = [part for part in text.split("/") if part and part != "."]
    joined = root + "/".join(parts)
    return joined or "."


def _split_codes(values: List[str]) -> Tuple[str, ...]:
    codes = [part.strip() for value in values for part in value.split(",") if part.strip()]
    for code in codes:
        upper = code.upper()
        if not (upper.startswith("GF") and len(upper) <= 5 and all(c in "0123456789" for c in upper[2:])):
            raise Fallback(f"code {code!r}")
    return tuple(code.upper() for code in codes)


def _settings(given: dict, paths: List[str]) -> dict:
    """Command line over configuration file over defaults, validated as click would."""
    settings = {
        "output_format": "text", "style": "main", "main_name": None, "extra_spawner": [], "select": [],
        "ignore": [], "exclude": None, "extend_exclude": [], "respect_gitignore": True, "unsafe_fixes": False,
        "jobs": None, "cache_dir": None, "src": [], "quiet": False, "python": None,
    }
    config = _config(given, paths)
    if config is not None:
        for key, value in config.values.items():
            settings[key] = list(value) if isinstance(value, list) else value
    for key, value in given.items():
        settings[key] = value
    if settings["python"] is not None:
        raise Fallback("--python")
    if settings["output_format"] not in FORMATS or settings["style"] not in ("main", "inline"):
        raise Fallback("a value click rejects")
    jobs = settings["jobs"]
    if isinstance(jobs, str) and not (jobs.isascii() and jobs.isdigit() and int(jobs) >= 1):
        raise Fallback("--jobs")
    name = settings["main_name"]
    if name is not None:
        import keyword

        if not name.isidentifier() or keyword.iskeyword(name):
            raise Fallback("--main-name")
    for qualname in settings["extra_spawner"]:
        if "." not in qualname or not all(part.isidentifier() for part in qualname.split(".")):
            raise Fallback("--extra-spawner")
    for folder in settings["src"]:
        if not os.path.isdir(folder) or not os.access(folder, os.R_OK):
            raise Fallback("--src")
    cache_dir = settings["cache_dir"]
    if cache_dir is not None and (
        not cache_dir or os.path.exists(cache_dir) and not (os.path.isdir(cache_dir) and os.access(cache_dir, os.R_OK))
    ):
        raise Fallback("--cache-dir")
    settings["select"] = _split_codes(settings["select"])
    settings["ignore"] = _split_codes(settings["ignore"])
    settings["root"] = str(config.root) if config is not None else os.getcwd()
    return settings


def _config(given: dict, paths: List[str]) -> object:
    """The ``[tool.guardfix]`` configuration, read by ``fixer.config`` as the command does,
    or None.  Only runs with a configuration file pay for loading that module."""
    if "config" in given:
        value = given["config"]
        if not os.path.isfile(value) or not os.access(value, os.R_OK):
            raise Fallback("--config")
        return _load_config(value)
    folders = []
    for path in paths:
        absolute = os.path.abspath(path)
        folders.append(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))
    folder = os.path.commonpath(folders)
    while True:  # fixer.config.find_config's walk, up to the first file that may hold the table
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject):
            try:
                with open(pyproject, "rb") as handle:
                    mentions = b"guardfix" in handle.read()
            except OSError:
                mentions = False
            if mentions:
                return _find_and_load_config(paths)
        if os.path.exists(os.path.join(folder, ".git")):
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _load_config(value: str) -> object:
    from pathlib import Path

    from fixer.config import ConfigError, load_config

    try:
        return load_config(Path(value))
    except ConfigError:
        raise Fallback("the configuration file cannot be used") from None


def _find_and_load_config(paths: List[str]) -> object:
    from pathlib import Path

    from fixer.config import ConfigError, find_config, load_config

    try:
        found = find_config([Path(p) for p in paths], start=Path.cwd())
        return load_config(found) if found is not None else None
    except ConfigError:
        raise Fallback("the configuration file cannot be used") from None


# ----- where imports resolve (the run key names the environment) --------------------------------
def project_root_of(folder: str) -> Optional[str]:
    """``fixer.roots.project_root_of`` (without its cache: asked once per path given)."""
    while True:
        if has_project_marker(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def environment_of(project_roots: List[str], environ: Optional[dict] = None) -> Tuple[tuple, frozenset]:
    """(site-packages folders with the folders their .pth files add, hidden module names) of
    ``fixer.roots.find_environment(None, project_roots)`` -- the two parts of it the run key
    holds."""
    chosen = project_venv(project_roots, os.environ if environ is None else environ)
    if chosen is not None:
        return _with_pth(chosen[0]), frozenset()
    return _with_pth(own_site_packages()), OWN_DEPENDENCIES


def _with_pth(folders: List[str]) -> tuple:
    found: List[str] = []
    for folder in folders:
        found.append(folder)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if name.endswith(".pth"):
                found += pth_folders(os.path.join(folder, name), folder)
    return tuple(dict.fromkeys(found))


# ----- the run -----------------------------------------------------------------------------------
def _answer(argv: List[str]) -> Tuple[List[Tuple[int, object]], int]:
    _check_terminals()
    given, typed = parse_args(argv)
    modes = given.pop("modes", set())
    if len(modes) > 1 or "write" in modes:
        raise Fallback("--write, or more than one mode")
    if not typed or any(p == "-" or not os.path.exists(p) or not os.access(p, os.R_OK) for p in typed):
        raise Fallback("no paths, stdin, or a path click rejects")
    paths = [posix_path(p) for p in typed]
    settings = _settings(given, paths)
    mode = modes.pop() if modes else "review"
    quiet = settings["quiet"]
    fmt = settings["output_format"]
    if fmt != "text" and mode != "check":
        raise Fallback("an output format click rejects here")
    events: List[Tuple[int, object]] = []

    def say(message: str) -> None:  # rich's Console.print of a plain Text, as plain text
        if not message.isprintable():
            raise Fallback("a message rich would print differently")
        if not message.isascii() and (sys.stderr.encoding or "").lower().replace("-", "") != "utf8":
            raise Fallback("a message in an encoding rich may write differently")
        events.append((2, message + "\n"))

    if mode == "review":  # (stdout is no terminal: review mode shows a diff)
        if not quiet:
            say(NOT_A_TERMINAL)
        mode = "diff"

    # Discovery, as fixer.discover.discover.
    from fixer.walk import DEFAULT_EXCLUDES, Rules, real_of_absolute, walk_folder

    exclude = settings["exclude"]
    patterns = tuple(exclude or ()) + tuple(settings["extend_exclude"])
    rules = Rules(
        DEFAULT_EXCLUDES if exclude is None else frozenset(), patterns, os.path.abspath(settings["root"]),
        bool(settings["respect_gitignore"]),
    )
    found: Dict[str, str] = {}  # real path -> display
    ignored: Dict[str, int] = {}
    left_out: set = set()
    walked: Dict[str, str] = {}
    for path in paths:
        if os.path.isdir(path):
            for joined, real in walk_folder(path, rules, left_out, ignored):
                # ``path`` is normalised and the walk appends plain names: only a leading
                # "./" is left for pathlib to drop
                shown = joined[2:] if path == "." else joined
                walked[shown] = real
                found.setdefault(real, shown)
        else:
            real = walked.get(path) or real_of_absolute(os.path.abspath(path))
            found.setdefault(real, path)
    candidates = sorted(found.items(), key=lambda item: item[1])
    if not candidates and not quiet:
        say(NO_SCRIPTS)

    # The cache, as fixer.runner.Runner.run.
    from fixer.cache import default_cache_folder, key_of, load_manifest, manifest_path, plan_reuse
    from fixer.cache import remembered_fingerprint

    project_roots = []
    for path in paths:
        absolute = os.path.abspath(path)
        folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        root = project_root_of(folder)
        project_roots.append(root if root is not None else folder)
    src = tuple(dict.fromkeys(os.path.normpath(os.path.abspath(posix_path(f))) for f in settings["src"]))
    folders, hidden = environment_of(list(dict.fromkeys(project_roots)))
    # the spawners of libraries installed nowhere imports resolve, as fixer.roots.with_search
    absent = absent_spawners(presence_folders(folders, src, list(dict.fromkeys(project_roots))))
    spawners = with_absent(settings["extra_spawner"], absent)
    cache_dir = settings["cache_dir"]
    cache_folder = posix_path(cache_dir) if cache_dir else default_cache_folder()
    key = key_of(
        style=settings["style"], main_name=settings["main_name"], unsafe_fixes=bool(settings["unsafe_fixes"]),
        extra_spawners=spawners, select=settings["select"], ignore=settings["ignore"],
        cwd=os.getcwd(), roots=paths, src=src, environment=folders, hidden=hidden,
        fingerprint=remembered_fingerprint(cache_folder),
    )
    manifest = load_manifest(manifest_path(cache_folder, key))
    if manifest is None:
        raise Fallback("no cache for this run")
    reals = [real for real, _ in candidates]
    reuse, why, restamped, _ = plan_reuse(manifest, reals, partial=False, settle=manifest.settler())
    if why or len(reuse) != len(reals):
        raise Fallback(why or "a result is missing")
    if restamped:  # edited files whose results stand: remember their new stamps
        _restamp(manifest, restamped, cache_folder, key)
    if mode != "check" and any(reuse[real]["status"] in ("fixed", "unsafe") for real in reals):
        raise Fallback("a fix to show: it is computed again")

    # What the session prints, and the report's counts (fixer.cli._Session, fixer.report).
    counts = dict.fromkeys(
        ("seen", "skipped", "prefiltered", "clean", "written", "left", "fixable", "declined", "unsafe", "errors", "warned"), 0
    )
    kept = []  # (real, display) of the results for --output-format
    for real, display in candidates:
        data = reuse[real]
        status, reason, findings = data["status"], data["reason"], data["findings"]
        _count(counts, status, reason, findings)
        if fmt != "text":
            kept.append((real, display))
        if status in ("error", "failed"):
            label = "internal error" if status == "failed" else "error"
            shown_reason = reason[len("internal error: "):] if reason.startswith("internal error: ") else reason
            say(f"{label}: {display}: {shown_reason}")
            continue
        if status == "skipped" or (status == "clean" and not findings):
            continue
        if mode == "check":
            if fmt == "text":
                for code, line, col, message, *_ in findings:
                    events.append((1, f"{display}:{line}:{col}: {code} {message}\n".encode("utf-8", errors="replace")))
            if status == "unsafe" and not quiet:
                say(f"{display}: fix is unsafe: {reason}")
            elif status == "declined" and not quiet:
                say(f"{display}: cannot be fixed automatically: {reason}")
            continue
        # --diff: warnings of a clean file, or a declined file (results with fixes fell back)
        for code, line, col, message, *_ in findings:
            say(f"{display}:{line}:{col}: {code} {message}")
        for note in data["notes"]:
            say(f"  note: {note}")
        if status == "declined" and not quiet:
            say(f"{display}: cannot be fixed automatically: {reason}")
    if fmt != "text":
        events.append((1, _formatted(kept, reuse, fmt)))
    if not quiet:
        say(summary_line(counts, mode, sum(ignored.values()), tuple(sorted(ignored))))
    return events, _return_code(counts, check_warnings=mode == "check")


def _restamp(manifest: object, restamped: dict, cache_folder: str, key: str) -> None:
    """Save the manifest with the new stamps of edited files whose results stand (as the
    full command would)."""
    from fixer.cache import Cache

    cache = Cache(cache_folder, key)
    cache.save(manifest, restamped)  # type: ignore[arg-type]
    if cache.warning:  # the full command says so: let it
        raise Fallback(cache.warning)


def _formatted(kept: List[Tuple[str, str]], reuse: Dict[str, dict], fmt: str) -> bytes:
    from pathlib import Path

    from fixer.cache import result_from_json
    from fixer.formats import format_results

    # (the candidate's path, as discovery hands it to the runner: the display is that path)
    results = [result_from_json(Path(display), display, reuse[real]) for real, display in kept]
    return format_results(results, fmt).encode("utf-8")


def _count(counts: dict, status: str, reason: str, findings: list) -> None:
    """``fixer.report.Report.add`` for a cached result (never written)."""
    counts["seen"] += 1
    if status in ("error", "failed"):
        counts["errors"] += 1
        if findings:
            counts["left"] += 1
        return
    if status == "skipped":
        counts["skipped"] += 1
        if reason == PREFILTER_REASON:
            counts["prefiltered"] += 1
    elif status == "clean":
        counts["clean"] += 1
        if findings:
            counts["warned"] += 1
    else:
        counts["left"] += 1
        if status == "declined":
            counts["declined"] += 1
        elif status == "unsafe":
            counts["unsafe"] += 1
        else:
            counts["fixable"] += 1


def _return_code(counts: dict, check_warnings: bool) -> int:
    """``fixer.report.Report.return_code``."""
    if counts["errors"]:
        return 123
    if counts["left"] or (check_warnings and counts["warned"]):
        return 1
    return 0


def summary_line(counts: dict, mode: str, ignored: int, sources: tuple) -> str:
    """The last line of ``fixer.console.UI.summary`` (without a terminal, the only one)."""

    def files(n: int) -> str:
        return f"{n} file{'s' if n != 1 else ''}"

    parts = []
    if counts["written"]:
        parts.append(f"{files(counts['written'])} fixed")
    if counts["fixable"]:
        verb = "would be fixed" if mode in ("check", "diff") else "not fixed"
        parts.append(f"{files(counts['fixable'])} {verb}")
    if counts["unsafe"]:
        parts.append(f"{files(counts['unsafe'])} with an unsafe fix not applied")
    if counts["declined"]:
        parts.append(f"{files(counts['declined'])} that cannot be fixed automatically")
    parts.append(f"{files(counts['clean'] + counts['skipped'] - counts['warned'])} without findings")
    if counts["warned"]:
        parts.append(f"{files(counts['warned'])} with warnings")
    if ignored:
        shown = sources[0] if len(sources) == 1 else f"{sources[0]} and {len(sources) - 1} more"
        parts.append(f"{ignored} ignored by {shown} (--no-respect-gitignore checks them)")
    if counts["errors"]:
        parts.append(f"{counts['errors']} error{'s' if counts['errors'] != 1 else ''}")
    return ", ".join(parts) + "."


__all__ = ["answer", "main", "parse_args", "posix_path", "environment_of", "summary_line"]
