"""Run guardfix over a copy of a whole source tree and check that it never loses a byte.

    python benchmarks/corpus_sweep.py FOLDER [--keep]

FOLDER is never touched: its Python files (``*.py`` and extensionless python-shebang
scripts; ``__pycache__``, ``site-packages`` and virtualenvs left out) are copied to a
temporary folder, and guardfix runs there as a user would run it, in a subprocess
(``python -m fixer``):

1. ``--check``: which files have findings;
2. ``--write``: the fixes are applied;
3. ``--write`` again: nothing may change.

Checked: no internal error; exit code 123 only when a named read or parse error explains
it, and every such file really does not compile; every file without an error finding
(GF0xx) is byte-identical afterwards; every rewritten file compiles; the second run changes
nothing.  Counts and timings are printed; the exit status is 1 when a check failed.
``tests/test_corpus.py`` runs this on the running interpreter's standard library.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from fixer.discover import has_python_shebang

SKIP_FOLDERS = {"__pycache__", "site-packages", "dist-packages", ".git", ".hg", ".svn"}
CHECK_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>GF\d{3}) ")
ERROR_LINE = re.compile(r"^(?P<kind>internal error|error): (?P<path>.+?): (?P<reason>.*)$")
#: Reasons that name a problem of the input file, not of guardfix.
INPUT_PROBLEMS = ("cannot read", "cannot parse", "cannot determine the encoding", "line ", "unknown encoding",
                  "the file contains NUL bytes")


@dataclass
class Run:
    """One guardfix subprocess."""

    args: list
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def errors(self) -> dict:
        """Displayed path -> (kind, reason) for every ``error:`` / ``internal error:`` line."""
        found = {}
        for line in self.stderr.splitlines():
            match = ERROR_LINE.match(line)
            if match:
                found[match["path"]] = (match["kind"], match["reason"])
        return found


@dataclass
class Sweep:
    """What a sweep saw, and every broken promise it found (empty lists: all held)."""

    files: list = field(default_factory=list)  # relative posix paths copied
    with_errors: set = field(default_factory=set)  # files with GF0xx findings
    with_warnings: set = field(default_factory=set)  # files with GF1xx findings only
    changed: set = field(default_factory=set)  # files the first --write changed
    unreadable: dict = field(default_factory=dict)  # file -> the named reason (exit 123)
    runs: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "files": len(self.files),
            "with findings": len(self.with_errors),
            "warnings only": len(self.with_warnings),
            "rewritten": len(self.changed),
            "left unchanged": len(self.files) - len(self.changed),
            "read/parse errors": len(self.unreadable),
            "problems": len(self.problems),
        }


def is_candidate(path: Path) -> bool:
    """What guardfix looks at in a folder: ``*.py``, and extensionless python-shebang files."""
    if path.name.endswith(".py"):
        return True
    return "." not in path.name and has_python_shebang(path)


def copy_tree(source: Path, dest: Path) -> list:
    """Copy the candidate files of ``source`` into ``dest``; returns their relative paths."""
    copied = []
    for folder, dirnames, filenames in os.walk(source, followlinks=False):
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_FOLDERS
            and not os.path.islink(os.path.join(folder, d))
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
        )
        for name in sorted(filenames):
            path = Path(folder, name)
            if path.is_symlink() or not path.is_file() or not is_candidate(path):
                continue
            rel = path.relative_to(source)
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            copied.append(rel.as_posix())
    return copied


def snapshot(root: Path, files: list) -> dict:
    return {rel: (root / rel).read_bytes() for rel in files}


def run_guardfix(root: Path, *args: str, timeout: float = 900) -> Run:
    # -I: guardfix runs inside the copy, and the copy must not shadow the modules it imports
    # (``python -m`` puts the working folder first on sys.path; a copied standard library
    # would be imported, and written to as __pycache__).  --no-cache: every run must really
    # analyse every file, not replay an earlier answer.
    command = [sys.executable, "-I", "-m", "fixer", "--no-color", "--no-cache", *args, "."]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=root, capture_output=True, timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"},
    )
    return Run(
        command[6:], done.returncode, done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"), time.perf_counter() - started,
    )


def compiles(data: bytes, name: str) -> bool:
    try:
        compile(data, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError, RecursionError):
        return False
    return True


def sweep(source: Path, work: Path) -> Sweep:
    """Copy ``source`` into the empty folder ``work`` and check guardfix's promises there."""
    result = Sweep()
    problems = result.problems
    result.files = copy_tree(source, work)
    before = snapshot(work, result.files)

    def check_errors(run: Run) -> None:
        for path, (kind, reason) in run.errors().items():
            if kind == "internal error":
                problems.append(f"{' '.join(run.args)}: internal error on {path}: {reason}")
            elif not reason.startswith(INPUT_PROBLEMS):
                problems.append(f"{' '.join(run.args)}: unexplained error on {path}: {reason}")
            elif path in before and compiles(before[path], path):
                problems.append(f"{' '.join(run.args)}: {path} compiles, yet guardfix says: {reason}")
            else:
                result.unreadable[path] = reason
        if run.returncode == 123 and not run.errors():
            problems.append(f"{' '.join(run.args)}: exit code 123 without a named error")
        if run.returncode not in (0, 1, 123):
            problems.append(f"{' '.join(run.args)}: exit code {run.returncode}\n{run.stderr[-3000:]}")

    check = run_guardfix(work, "--check")
    result.runs.append(check)
    check_errors(check)
    for line in check.stdout.splitlines():
        match = CHECK_LINE.match(line)
        if match:
            (result.with_warnings if match["code"].startswith("GF1") else result.with_errors).add(match["path"])
    result.with_warnings -= result.with_errors
    if snapshot(work, result.files) != before:
        problems.append("--check changed files")

    write = run_guardfix(work, "--write")
    result.runs.append(write)
    check_errors(write)
    after = snapshot(work, result.files)
    result.changed = {rel for rel in result.files if after[rel] != before[rel]}
    for rel in sorted(result.changed - result.with_errors):
        problems.append(f"{rel} changed although --check reported no error finding for it")
    for rel in sorted(result.changed):
        if not compiles(after[rel], rel):
            problems.append(f"{rel}: the rewrite does not compile")
    stray = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()
                   and p.relative_to(work).as_posix() not in before)
    if stray:
        problems.append(f"files left behind: {stray[:10]}")

    again = run_guardfix(work, "--write")
    result.runs.append(again)
    check_errors(again)
    if again.returncode != write.returncode:
        problems.append(f"second --write exits {again.returncode}, the first exited {write.returncode}")
    second = snapshot(work, result.files)
    moved_again = sorted(rel for rel in result.files if second[rel] != after[rel])
    if moved_again:
        problems.append(f"the second --write changed {moved_again[:10]}")
    return result


def report(result: Sweep, source: Path) -> str:
    lines = [f"corpus sweep of {source} ({sys.implementation.name} {sys.version.split()[0]})"]
    lines += [f"  {name:18} {value}" for name, value in result.counts().items()]
    for run in result.runs:
        lines.append(f"  guardfix {' '.join(run.args):28} exit {run.returncode:3}  {run.seconds:6.2f} s")
    for path, reason in sorted(result.unreadable.items()):
        lines.append(f"  not parsed: {path}: {reason}")
    for problem in result.problems:
        lines.append(f"  PROBLEM: {problem}")
    return "\n".join(lines)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the tree to sweep (never modified)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and print where it is")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    work = Path(tempfile.mkdtemp(prefix="guardfix-sweep-"))
    try:
        result = sweep(args.folder.resolve(), work)
        print(report(result, args.folder))
    finally:
        if args.keep:
            print(f"copy kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
