"""Everything the user sees: findings, coloured diffs, prompts, the summary.  The only
module that imports rich.  Machine-readable output (``--check`` lines, ``--diff`` patches)
goes to stdout as plain bytes; everything else goes to stderr."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from typing import TYPE_CHECKING

from fixer.model import FileResult, Finding, Status
from fixer.report import Report

if TYPE_CHECKING:
    from rich.console import Console


class _Text:
    """``rich.text.Text``, imported on first use: a run with nothing to say (``-q``, every
    result from the cache) never pays for loading rich."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from rich.text import Text as RichText

        return RichText(*args, **kwargs)

    def assemble(self, *args: Any, **kwargs: Any) -> Any:
        from rich.text import Text as RichText

        return RichText.assemble(*args, **kwargs)


Text = _Text()

#: A run shorter than this never shows a progress bar.
PROGRESS_DELAY = 1.0


class UI:
    def __init__(self, verbosity: int = 0, color: bool | None = None) -> None:
        self.verbosity = verbosity
        self._no_color = color is False
        self._err: Console | None = None
        self._out: Console | None = None

    # The consoles (and rich with them) are created when first written to.
    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(stderr=True, highlight=False, soft_wrap=True, no_color=self._no_color)
        return self._err

    @err.setter
    def err(self, console: Console) -> None:
        self._err = console

    @property
    def out(self) -> Console:
        if self._out is None:
            from rich.console import Console

            self._out = Console(highlight=False, soft_wrap=True, no_color=self._no_color)
        return self._out

    @out.setter
    def out(self, console: Console) -> None:
        self._out = console

    # ----- machine output on stdout ----------------------------------------------------
    @staticmethod
    def write_stdout(data: bytes) -> None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def check_line(self, result: FileResult, finding: Finding) -> None:
        line = f"{result.display}:{finding.line}:{finding.col}: {finding.code.value} {finding.message}\n"
        self.write_stdout(line.encode("utf-8", errors="replace"))
        if self.verbosity > 0:
            self.chain(result, finding, self.err)

    def chain(self, result: FileResult, finding: Finding, console: Console) -> None:
        """With -v: every step of a call chain, with the file and line of the call and of
        the callee's definition."""
        if self.verbosity <= 0 or len(finding.chain) < 2:
            return
        for depth, step in enumerate(finding.chain):
            where = f"{step.path or result.display}:{step.line}"
            defined = f", defined at {step.callee_path}:{step.callee_line}" if step.callee_line else ""
            console.print(Text(f"    {'  ' * depth}→ {step.label} ({where}{defined})", style="dim"))

    # ----- chatter on stderr ------------------------------------------------------------
    def info(self, message: str, style: str = "") -> None:
        if self.verbosity >= 0:
            self.err.print(Text(message, style=style))

    def verbose(self, message: str) -> None:
        if self.verbosity > 0:
            self.err.print(Text(message, style="dim"))

    def error(self, result: FileResult) -> None:
        label = "internal error" if result.status is Status.FAILED else "error"
        reason = result.reason
        if reason.startswith("internal error: "):
            reason = reason[len("internal error: "):]
        self.err.print(Text.assemble((f"{label}: ", "bold red"), f"{result.display}: {reason}"))
        if self.verbosity > 0 and "traceback" in result.extra:
            self.err.print(Text(result.extra["traceback"], style="dim"))

    def findings(self, result: FileResult, console: Console | None = None, only_warnings: bool = False) -> None:
        console = console or self.err
        for finding in result.findings:
            if only_warnings and not finding.code.is_warning:
                continue
            console.print(
                Text.assemble(
                    (f"{result.display}:{finding.line}:{finding.col}: ", "bold"),
                    (finding.code.value, "bold magenta" if finding.code.is_warning else "bold yellow"),
                    f" {finding.message}",
                )
            )
            self.chain(result, finding, console)
        for note in result.notes:
            console.print(Text(f"  note: {note}", style="cyan"))

    def status_line(self, result: FileResult, message: str, style: str) -> None:
        if self.verbosity < 0:
            return  # -q: only errors and machine output
        self.err.print(Text.assemble((f"{result.display}: ", "bold"), (message, style)))

    def coloured_diff(self, diff: bytes) -> None:
        text = diff.decode("utf-8", errors="replace")
        for line in text.splitlines():
            style = ""
            if line.startswith(("+++", "---")):
                style = "bold"
            elif line.startswith("@@"):
                style = "cyan"
            elif line.startswith("+"):
                style = "green"
            elif line.startswith("-"):
                style = "red"
            self.out.print(Text(line, style=style))

    def ask(self, question: str, read: Callable[[], str]) -> str:
        """Ask until one of y/n/a/q is answered; end of input counts as quit."""
        while True:
            self.out.print(Text(question, style="bold"), end="")
            answer = read()
            if answer == "":
                self.out.print()
                return "q"
            answer = answer.strip().lower()[:1]
            if answer in ("y", "n", "a", "q"):
                return answer
            self.out.print(Text("Please answer y, n, a or q.", style="yellow"))

    def summary(
        self, report: Report, mode: str, stats: Any = None, elapsed: float | None = None, ignored: tuple = (0, ())
    ) -> None:
        if self.verbosity < 0:
            return
        if elapsed is not None and (self.verbosity > 0 or self.err.is_terminal):
            self.summary_table(report, stats, elapsed)
        def files(n: int) -> str:
            return f"{n} file{'s' if n != 1 else ''}"

        parts = []
        if report.written:
            parts.append(f"{files(report.written)} fixed")
        if report.fixable:
            verb = "would be fixed" if mode in ("check", "diff") else "not fixed"
            parts.append(f"{files(report.fixable)} {verb}")
        if report.unsafe:
            parts.append(f"{files(report.unsafe)} with an unsafe fix not applied")
        if report.declined:
            parts.append(f"{files(report.declined)} that cannot be fixed automatically")
        # A file whose only findings are warnings is not "without findings" (whether warnings
        # change the exit code is Report.return_code's business).
        unchanged = report.clean + report.skipped - report.warned
        parts.append(f"{files(unchanged)} without findings")
        if report.warned:
            parts.append(f"{files(report.warned)} with warnings")
        count, sources = ignored
        if count:
            # An ignored tree would otherwise look like a tree without scripts.
            shown = sources[0] if len(sources) == 1 else f"{sources[0]} and {len(sources) - 1} more"
            parts.append(f"{count} ignored by {shown} (--no-respect-gitignore checks them)")
        if report.errors:
            parts.append(f"{report.errors} error{'s' if report.errors != 1 else ''}")
        failing = report.left or (report.check_warnings and report.warned)
        style = "bold red" if report.errors else ("bold yellow" if failing else "bold green")
        self.err.print(Text(", ".join(parts) + ".", style=style))

    def summary_table(self, report: Report, stats: Any, elapsed: float) -> None:
        """Counts of the whole run, as a table on stderr."""
        from rich import box
        from rich.table import Table  # (rich.table and rich.progress load only when used)

        table = Table(title=None, show_header=True, header_style="bold", box=box.SIMPLE, pad_edge=False)
        columns = [
            ("files", report.seen),
            ("prefiltered", report.prefiltered),
            ("flagged", report.flagged),
            ("fixed", report.written),
            ("declined", report.declined),
            ("unsafe", report.unsafe),
            ("errors", report.errors),
        ]
        for name, _ in columns:
            table.add_column(name, justify="right")
        table.add_column("time", justify="right")
        table.add_row(*(str(n) for _, n in columns), f"{elapsed:.2f} s")
        self.err.print(table)
        if stats is not None and self.verbosity > 0:
            how = f"this process and {stats.workers} worker process(es)" if stats.workers else "this process"
            cache = f"{stats.cached} result(s) from the cache" if stats.cached else "no cached results"
            note = f" ({stats.cache_note})" if stats.cache_note and not stats.cached else ""
            work = f"analysed {stats.analysed} file(s), {stats.parsed} of them parsed, in {how}"
            self.err.print(Text(f"{work}; {cache}{note}", style="dim"))

    def interrupted(self, report: Report, total: int) -> None:
        """After Ctrl-C: what was done, so nobody has to guess which files were written."""
        self.err.print(
            Text(
                f"interrupted: {report.written} file(s) written, {report.seen} of {total} processed, "
                f"{total - report.seen} not processed; every file is either as it was or fully fixed",
                style="bold red",
            )
        )

    @contextmanager
    def progress(self, total: int, enabled: bool = True) -> Iterator[Callable[[str], None]]:
        """A progress bar on stderr for runs that last more than about a second, when stderr
        is a terminal.  Yields ``advance(display)``, called once per finished file."""
        if not enabled or self.verbosity < 0 or not self.err.is_terminal or total < 2:
            yield lambda display: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        started = time.monotonic()
        state: dict = {"bar": None, "done": 0}

        def advance(display: str) -> None:
            state["done"] += 1
            bar = state["bar"]
            if bar is None:
                if time.monotonic() - started < PROGRESS_DELAY:
                    return
                bar = Progress(
                    SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=self.err, transient=True,
                )
                bar.start()
                state["task"] = bar.add_task("checking", total=total, completed=state["done"] - 1)
                state["bar"] = bar
            bar.update(state["task"], advance=1, description=display[-40:])

        try:
            yield advance
        finally:
            if state["bar"] is not None:
                state["bar"].stop()
