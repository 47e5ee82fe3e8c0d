"""The ``guardfix`` command: options -> Options, the per-mode loop, the exit code."""

from __future__ import annotations

import gc
import re
import sys
import time
from contextlib import contextmanager
from typing import Iterator
from dataclasses import replace
from pathlib import Path

import click

from fixer import __version__
from fixer.config import Config, ConfigError, find_config, load_config
from fixer.console import UI
from fixer.diff import make_diff
from fixer.discover import Excludes, discover
from fixer.explain import explain
from fixer.formats import FORMATS, format_results
from fixer.model import Code, FileResult, Options, Status, Style
from fixer.cache import default_cache_dir
from fixer.report import EXIT_INTERRUPTED, EXIT_USAGE, Report
from fixer.roots import EnvironmentNotFound, SearchSettings, describe_roots, search_settings_for, with_search
from fixer.runner import Runner, default_jobs
from fixer.source import decode_source

PROMPT = "Apply? [y]es / [n]o / [a]ll remaining / [q]uit "


def is_interactive() -> bool:
    """Review mode prompts only when both stdin and stdout are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _read_answer() -> str:
    return sys.stdin.readline()


def _explain(ctx: click.Context, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    try:
        code = Code(value.strip().upper())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a finding code; known codes: {', '.join(c.value for c in Code)}",
            param_hint="'--explain'",
        ) from None
    click.echo(explain(code), nl=False)
    ctx.exit(0)


def _split_codes(values: tuple[str, ...]) -> list[str]:
    codes = [part.strip() for value in values for part in value.split(",") if part.strip()]
    for code in codes:
        if not re.fullmatch(r"GF\d{0,3}", code.upper()):
            raise click.BadParameter(f"{code!r} is not a finding code or code prefix (e.g. GF002, GF1)")
    return codes


def _validate_qualnames(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if not all(part.isidentifier() for part in value.split(".")) or "." not in value:
            raise click.BadParameter(f"{value!r} is not a dotted name such as mypkg.parallel.run_all")
    return values


CONFIG_META = "guardfix.config"


def _read_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Load ``[tool.guardfix]`` (from ``--config FILE``, or the ``pyproject.toml`` found above
    the paths) into ``ctx.default_map``, so that every option given on the command line
    overrides it (black's approach).  It is eager, and click handles the eager parameters
    given on the command line before the others: when the file has to be found, the paths
    and ``--stdin-filename`` (both eager) are already in ``ctx.params``."""
    if ctx.resilient_parsing:
        return None
    try:
        if value is not None:
            config: Config | None = load_config(Path(value))
        else:
            named = [p for p in ctx.params.get("paths") or () if str(p) != "-"]
            stdin_filename = ctx.params.get("stdin_filename")
            if stdin_filename:
                named.append(Path(stdin_filename))
            found = find_config(named, start=Path.cwd())
            config = load_config(found) if found is not None else None
    except ConfigError as exc:
        raise click.UsageError(str(exc), ctx) from None
    if config is not None:
        ctx.default_map = {**(ctx.default_map or {}), **config.values}
        ctx.meta[CONFIG_META] = config
    return None


def _excludes(
    ctx: click.Context, exclude: tuple[str, ...], extend_exclude: tuple[str, ...], force: bool, gitignore: bool = True
) -> Excludes:
    """Exclude patterns are relative to the configuration file's folder (else the current
    folder); ``exclude``, when set anywhere, replaces the built-in folder names."""
    config: Config | None = ctx.meta.get(CONFIG_META)
    given = ctx.get_parameter_source("exclude") not in (None, click.core.ParameterSource.DEFAULT)
    return Excludes.from_settings(
        exclude=list(exclude) if given else None,
        extend_exclude=extend_exclude,
        root=config.root if config is not None else Path.cwd(),
        force=force,
        gitignore=gitignore,
    )


def _validate_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    import keyword

    if value is not None and (not value.isidentifier() or keyword.iskeyword(value)):
        raise click.BadParameter(f"{value!r} is not a valid Python function name")
    return value


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument(
    "paths", nargs=-1, required=True, is_eager=True, type=click.Path(exists=True, path_type=Path, allow_dash=True)
)
@click.option("--check", is_flag=True, help="Print one line per finding; write nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff on stdout; write nothing.")
@click.option("--write", is_flag=True, help="Apply every safe fix without asking.")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=False, help="Also apply (or show in --diff) fixes marked unsafe.")
@click.option(
    "--style",
    type=click.Choice([s.value for s in Style]),
    default=Style.MAIN.value,
    show_default=True,
    help="main: move the work into a function called under the guard; inline: put it directly under the guard.",
)
@click.option("--main-name", metavar="NAME", callback=_validate_name, help="Name of the function that receives the work (default: main).")
@click.option(
    "--extra-spawner",
    multiple=True,
    metavar="QUALNAME",
    callback=lambda ctx, param, value: _validate_qualnames(value),
    help="Treat this function or class (e.g. mypkg.parallel.run_all) as starting processes. Repeatable.",
)
@click.option("--select", multiple=True, metavar="CODES", help="Report only these codes or code prefixes (comma-separated; e.g. GF0).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Never report these codes or code prefixes (comma-separated).")
@click.option(
    "--output-format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How --check (and --write) print findings on stdout: text lines, JSON, GitHub Actions annotations or SARIF 2.1.0.",
)
@click.option("--exclude", multiple=True, metavar="PATTERN", help="Gitignore-style pattern of paths to skip; replaces the built-in folder list. Repeatable.")
@click.option("--extend-exclude", multiple=True, metavar="PATTERN", help="Gitignore-style pattern of paths to skip, in addition to the others. Repeatable.")
@click.option("--force-exclude", is_flag=True, help="Apply the excludes and .gitignore to files named explicitly too (for pre-commit).")
@click.option(
    "--respect-gitignore/--no-respect-gitignore",
    default=True,
    show_default=True,
    help="Leave out what .gitignore files and .git/info/exclude ignore (a folder named on the command line is always walked).",
)
@click.option(
    "--stdin-filename",
    metavar="PATH",
    is_eager=True,
    help="With - as the path: the file name to show in messages and to match against the configuration and excludes.",
)
@click.option(
    "--config",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False),
    is_eager=True,
    expose_value=False,
    callback=_read_config,
    help="Read [tool.guardfix] from this TOML file instead of the pyproject.toml found above the paths.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes for large runs (default: the number of CPUs).",
)
@click.option(
    "--src",
    multiple=True,
    metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also resolve imports in this folder (a package root guardfix cannot infer). Repeatable.",
)
@click.option(
    "--python",
    metavar="PATH",
    help="Follow imports into the installed packages of this interpreter or virtual environment "
    "(default: $VIRTUAL_ENV, else .venv/venv in the project root, else the one running guardfix).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache of earlier results.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Where earlier results are kept (default: $GUARDFIX_CACHE_DIR, else the user cache folder).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors and machine output.")
@click.option("-v", "--verbose", is_flag=True, help="Also report clean and skipped files, and full call chains.")
@click.option("--color/--no-color", default=None, help="Force or disable colours (default: when a terminal).")
@click.option(
    "--explain",
    metavar="CODE",
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, param, value: _explain(ctx, value),
    help="Explain a finding code (e.g. GF002) and exit.",
)
@click.version_option(__version__, "--version", prog_name="guardfix")
@click.pass_context
def cli(
    ctx: click.Context,
    paths: tuple[Path, ...],
    check: bool,
    show_diff: bool,
    write: bool,
    unsafe_fixes: bool,
    extra_spawner: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    style: str,
    main_name: str | None,
    quiet: bool,
    verbose: bool,
    color: bool | None,
    stdin_filename: str | None,
    output_format: str,
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    respect_gitignore: bool,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    src: tuple[Path, ...],
    python: str | None,
) -> None:
    """Find scripts that start processes without an `if __name__ == "__main__":` guard, and fix them.

    By default each fix is shown and applied only if you answer yes.  Exit codes: 0 nothing
    left to fix, 1 findings remain, 2 usage error, 123 a file could not be read or parsed or
    guardfix failed.
    """
    if sum((check, show_diff, write)) > 1:
        raise click.UsageError("--check, --diff and --write are mutually exclusive")
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose are mutually exclusive")
    ui = UI(verbosity=-1 if quiet else (1 if verbose else 0), color=color)
    mode = "check" if check else "diff" if show_diff else "write" if write else "review"
    from_stdin = any(str(p) == "-" for p in paths)
    if from_stdin and len(paths) > 1:
        raise click.UsageError("- (read a script from stdin) cannot be combined with other paths")
    if stdin_filename is not None and not from_stdin:
        raise click.UsageError("--stdin-filename needs - as the path")
    if output_format != "text" and mode not in (("check",) if from_stdin else ("check", "write")):
        needs = "--check (stdout carries the script)" if from_stdin else "--check or --write"
        raise click.UsageError(f"--output-format {output_format} needs {needs}")
    excludes = _excludes(ctx, exclude, extend_exclude, force_exclude, respect_gitignore)
    if from_stdin:
        named = [Path(stdin_filename)] if stdin_filename else [Path.cwd()]
        options = _options(style, main_name, unsafe_fixes, extra_spawner, select, ignore)
        options = with_search(options, _search(ui, named, src, python))
        ctx.exit(_run_stdin(ui, mode, options, stdin_filename, excludes, output_format))
    if mode == "review" and not is_interactive():
        ui.info("not a terminal: showing the fixes as a diff; nothing is written (use --write to apply)", "dim")
        mode = "diff"
    options = _options(style, main_name, unsafe_fixes, extra_spawner, select, ignore)
    options = with_search(options, _search(ui, list(paths), src, python))
    started = time.perf_counter()
    discovery = discover(list(paths), excludes)
    candidates = discovery.candidates
    if not candidates:
        ui.info("no Python scripts found in the given paths", "yellow")
    runner = Runner(
        [(c.path, c.display) for c in candidates],
        options,
        jobs=jobs or default_jobs(),
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
        need_sources=mode != "check",
        roots=[str(p) for p in paths],
        coverage=discovery.coverage,
    )
    report = Report(check_warnings=mode == "check")
    session = _Session(ui, mode, options, output_format)
    interrupted = False
    with ui.progress(len(candidates), enabled=mode != "review") as advance, _DEFERRED_CTRL_C:
        try:
            for result in runner.run():
                with _DEFERRED_CTRL_C.critical():  # a file is written and counted, or neither
                    advance(result.display)
                    if session.quit:
                        report.add(result)
                        continue
                    report.add(session.handle(result))
        except KeyboardInterrupt:
            interrupted = True
    if runner.stats.cache_warning:
        ui.info(f"warning: {runner.stats.cache_warning}", "yellow")
    if output_format != "text" and not interrupted:
        ui.write_stdout(format_results(session.results, output_format).encode("utf-8"))
    elapsed = time.perf_counter() - started
    if interrupted:
        ui.interrupted(report, len(candidates))
        ctx.exit(EXIT_INTERRUPTED)
    ui.summary(report, mode, runner.stats, elapsed, ignored=(discovery.gitignored, discovery.ignore_files))
    ctx.exit(report.return_code)


def _search(ui: UI, paths: list, src: tuple, python: str | None) -> SearchSettings:
    """Where imports resolve (``--src``, ``--python``, the environment found); ``-v`` lists
    the folders and why each is searched."""
    try:
        settings = search_settings_for(paths, src, python)
    except EnvironmentNotFound as exc:
        raise click.UsageError(str(exc)) from None
    if ui.verbosity > 0:
        for root in describe_roots(paths, settings):
            ui.verbose(f"imports resolve in {root.folder} ({root.origin})")
        if settings.environment.hidden:
            ui.verbose(f"not followed there: guardfix's own dependencies ({len(settings.environment.hidden)} modules)")
        for qualname in settings.absent:
            ui.verbose(f"not installed, so known by name: {qualname}")
    return settings


def _options(
    style: str, main_name: str | None, unsafe_fixes: bool, extra_spawner: tuple, select: tuple, ignore: tuple
) -> Options:
    return Options(
        style=Style(style),
        main_name=main_name,
        unsafe_fixes=unsafe_fixes,
        extra_spawners=tuple(extra_spawner),
        select=tuple(c.upper() for c in _split_codes(select)),
        ignore=tuple(c.upper() for c in _split_codes(ignore)),
    )


def _run_stdin(
    ui: UI, mode: str, options: Options, stdin_filename: str | None, excludes: Excludes, output_format: str
) -> int:
    """``guardfix -``: the script comes on stdin.  ``--check`` prints findings and ``--diff``
    the patch on stdout; otherwise stdout gets the fixed script, or the input byte for byte
    when there is nothing to fix or the fix is not applied.  Messages go to stderr."""
    data = sys.stdin.buffer.read()
    path = Path(stdin_filename) if stdin_filename else None
    display = stdin_filename or "-"
    if path is not None and excludes.excludes_named_file(path):
        ui.verbose(f"{display}: excluded")
        if mode not in ("check", "diff"):
            ui.write_stdout(data)
        return Report().return_code
    result = process_stdin(data, display, options, path)
    report = Report(check_warnings=mode == "check")
    session = _Session(ui, "check" if mode == "check" else "diff", options, output_format)
    if mode in ("check", "diff"):
        report.add(session.handle(result))
        if output_format != "text":
            ui.write_stdout(format_results(session.results, output_format).encode("utf-8"))
        return report.return_code
    # Write mode (and review, which cannot ask: stdin holds the script).
    allowed = result.has_fix and (result.status is Status.FIXED or options.unsafe_fixes)
    if result.status in (Status.ERROR, Status.FAILED):
        ui.error(result)
    elif result.status is Status.DECLINED:
        ui.findings(result)
        ui.status_line(result, f"cannot be fixed automatically: {result.reason}", "yellow")
    elif result.has_fix and not allowed:
        ui.findings(result)
        ui.status_line(result, f"unsafe fix not applied: {result.reason} (use --unsafe-fixes)", "yellow")
    elif result.status is not Status.SKIPPED:
        ui.findings(result, only_warnings=result.has_fix)
    if allowed:
        assert result.new_source is not None
        result = replace(result, written=True)
        ui.write_stdout(result.new_source)
        ui.status_line(result, "fixed", "green")
    else:
        ui.write_stdout(data)
    report.add(result)
    return report.return_code


def process_stdin(data: bytes, display: str, options: Options, path: Path | None) -> FileResult:
    """Process a script read from stdin; ``path`` (from ``--stdin-filename``) names it and,
    when its folder exists, lets calls into sibling modules be followed.  Never raises."""
    from fixer.pipeline import process_bytes
    from fixer.project import Project
    from fixer.runner import search_settings
    from fixer.targets import build_catalogue, prefilter_tokens

    project = None
    if path is not None and path.parent.is_dir():
        project = Project(
            files=[path],
            catalogue=build_catalogue(options.extra_spawners),
            tokens=prefilter_tokens(options.extra_spawners),
            settings=search_settings(options),
        )
    return process_bytes(
        data, path or Path("-"), display, options, project, path, filename=path.name if path is not None else "<stdin>"
    )


class _Session:
    """The per-file loop of one run: prints, asks, writes."""

    def __init__(self, ui: UI, mode: str, options: Options, output_format: str = "text") -> None:
        self.ui = ui
        self.mode = mode
        self.options = options
        self.output_format = output_format
        self.results: list[FileResult] = []  # for --output-format json / github / sarif
        self.apply_all = False
        self.quit = False

    def handle(self, result: FileResult) -> FileResult:
        handled = self._handle(result)
        if self.output_format != "text":  # kept for the report at the end: findings, not bytes
            self.results.append(replace(handled, old_source=None, new_source=None))
        return handled

    def _check_lines(self, result: FileResult) -> None:
        if self.output_format == "text":
            for finding in result.findings:
                self.ui.check_line(result, finding)

    def _handle(self, result: FileResult) -> FileResult:
        ui = self.ui
        if result.status in (Status.ERROR, Status.FAILED):
            ui.error(result)
            return result
        if result.status is Status.SKIPPED:
            ui.verbose(f"{result.display}: skipped ({result.reason})")
            return result
        if result.status is Status.CLEAN:
            if not result.findings:
                ui.verbose(f"{result.display}: clean")
            elif self.mode == "check":
                self._check_lines(result)
            else:
                ui.findings(result)  # warnings only: nothing to fix
            return result
        if self.mode == "check":
            self._check_lines(result)
            self._explain_status(result)
            return result
        if result.status is Status.DECLINED:
            ui.findings(result)
            ui.status_line(result, f"cannot be fixed automatically: {result.reason}", "yellow")
            return result
        allowed = result.status is Status.FIXED or self.options.unsafe_fixes
        if self.mode == "diff":
            ui.findings(result)
            if allowed:
                ui.write_stdout(self._diff(result))
            else:
                ui.status_line(result, f"unsafe fix not shown: {result.reason} (use --unsafe-fixes)", "yellow")
            return result
        if self.mode == "write":
            if not allowed:
                ui.findings(result)
                ui.status_line(result, f"unsafe fix not applied: {result.reason} (use --unsafe-fixes)", "yellow")
                return result
            ui.findings(result, only_warnings=True)
            return self._write(result)
        return self._review(result, allowed)

    def _review(self, result: FileResult, allowed: bool) -> FileResult:
        ui = self.ui
        ui.out.rule(result.display, align="left")
        ui.findings(result, ui.out)
        ui.coloured_diff(self._diff(result))
        if result.status is Status.UNSAFE:
            ui.out.print(f"unsafe: {result.reason}", style="bold yellow")
        if self.apply_all and allowed:
            return self._write(result)
        with _DEFERRED_CTRL_C.allowed():  # Ctrl-C at the prompt stops at once
            answer = ui.ask(PROMPT, _read_answer)
        if answer == "q":
            self.quit = True
            return result
        if answer == "n":
            return result
        if answer == "a":
            self.apply_all = True
        return self._write(result)

    def _write(self, result: FileResult) -> FileResult:
        from fixer.pipeline import write_fix

        written = write_fix(result)
        if written.status in (Status.ERROR, Status.FAILED):
            self.ui.error(written)
        else:
            self.ui.status_line(written, "fixed", "green")
        return written

    def _explain_status(self, result: FileResult) -> None:
        if result.status is Status.UNSAFE:
            self.ui.status_line(result, f"fix is unsafe: {result.reason}", "yellow")
        elif result.status is Status.DECLINED:
            self.ui.status_line(result, f"cannot be fixed automatically: {result.reason}", "yellow")

    @staticmethod
    def _diff(result: FileResult) -> bytes:
        assert result.old_source is not None and result.new_source is not None
        try:
            decoded = decode_source(result.old_source)
            encoding = decoded.encoding
        except Exception:  # pragma: no cover - a result with a fix was decodable
            encoding = "utf-8"
        return make_diff(result.old_source, result.new_source, result.display, encoding)


class _CtrlC:
    """Ctrl-C never lands between writing a file and counting it.

    Inside ``critical()`` (handling one result: printing, writing, counting) a Ctrl-C is
    remembered and raised as ``KeyboardInterrupt`` when the block ends; elsewhere (waiting
    for results, or at a prompt inside ``allowed()``) it interrupts at once, as usual.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.pending = False
        self.previous: object = None

    def __enter__(self) -> "_CtrlC":
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)  # type: ignore[arg-type]
            self.previous = None
        self.depth, self.pending = 0, False

    def _on_sigint(self, signum: int, frame: object) -> None:
        if self.depth > 0:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def critical(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if self.depth == 0 and self.pending:
            self.pending = False
            raise KeyboardInterrupt

    @contextmanager
    def allowed(self) -> Iterator[None]:
        depth, self.depth = self.depth, 0
        try:
            if self.pending:
                self.pending = False
                raise KeyboardInterrupt
            yield
        finally:
            self.depth = depth


_DEFERRED_CTRL_C = _CtrlC()


def main() -> None:
    """Console-script entry point.

    When the command is done, everything still alive is handed to ``gc.freeze()``: the
    interpreter's last garbage collections at exit then have nothing to walk (after a large
    run they took a tenth of a second, to free memory the process gives back anyway)."""
    try:
        cli(prog_name="guardfix")
    finally:
        gc.freeze()


__all__ = ["cli", "main", "EXIT_USAGE"]
