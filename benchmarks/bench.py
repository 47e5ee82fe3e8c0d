"""Side-by-side speed and memory figures for guardfix (issue 4's targets).

    python benchmarks/bench.py [--rounds N] [--sample N] [--tree PATH ...] [--baseline CMD] [--instructions]

Measures, in one run and alternating the commands so that a noisy machine hurts both
sides alike:

* ``guardfix --check --no-cache`` against ``ruff check --select E9 --no-cache`` (a parse-only
  ruff run: the cheapest check that reads every file) over the running interpreter's
  standard library and its site-packages (each copied to a temporary folder first, so that
  no ``.gitignore`` above them hides files from either tool);
* a warm rerun with the cache against the cold run, and against ruff's own warm run (ruff
  with its cache): guardfix's warm path (``fixer.warm``) answers it without loading the
  command line or the analysis;
* one edited file (a comment appended to a different file each round) in such a tree,
  against ruff's warm run after the same edit;
* the peak memory of the whole guardfix run (the process and its workers, sampled): the
  sum of their RSS (the target) and of their PSS (shared pages counted once);
* fixing one flagged 2,000-line script with ``guardfix --write``;
* the naive design -- ``libcst.parse_module`` on every file -- timed on a sample and scaled
  to the tree, against guardfix's cold run;
* with ``--baseline CMD``: another guardfix (0.1 in its own virtual environment, say) run
  cold in the same rounds, for a side-by-side ratio on each tree;
* with ``--instructions``: the instructions of one warm rerun of guardfix and of ruff,
  counted by valgrind (a figure other work on the machine does not change).

Prints a table of medians and ratios, with the machine it ran on.  Needs ruff on PATH or in
the environment (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import threading
import time
from pathlib import Path

TARGETS = {"wall": 1.0, "warm": 0.15, "rss_mb": 200.0, "fix_s": 1.0, "warm_ruff": 2.0, "edit_ruff": 3.0,
           "libcst": 3.0, "growth": 4.5}


def _findable(util: object, name: str) -> bool:
    try:
        return util.find_spec(name) is not None  # type: ignore[attr-defined]
    except (ImportError, ValueError):
        return False


def guardfix_cmd(*args: str) -> list[str]:
    """The installed ``guardfix`` command, as a user runs it.  (Not ``python -m fixer``: that
    puts the current folder first on ``sys.path``, and inside a copy of the standard library
    or of site-packages the copy's modules would shadow the real ones.)"""
    script = Path(sys.executable).with_name("guardfix")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "import sys; del sys.path[0]; from fixer.warm import main; main()", *args]


def guardfix_env(**extra: str) -> dict:
    """The environment guardfix runs in: as installed for a user, with Python's bytecode
    cache on (``PYTHONDONTWRITEBYTECODE``, set on some CI machines, would make every run
    compile guardfix's modules from source and measure that instead)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def ruff_cmd(*args: str) -> list[str]:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        sys.exit("ruff is needed for the comparison: pip install -e '.[bench]'")
    return [ruff, *args]


def copy_tree(source: Path, target: Path) -> int:
    """Copy the Python files of ``source`` (no caches, no nested site-packages)."""
    count = 0
    for folder, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", "site-packages")]
        rel = Path(folder).relative_to(source)
        for name in files:
            if name.endswith(".py"):
                (target / rel).mkdir(parents=True, exist_ok=True)
                try:
                    shutil.copyfile(Path(folder) / name, target / rel / name)
                    count += 1
                except OSError:
                    pass
    return count


def _tree_memory(pid: int) -> tuple[int, int]:
    """Memory of ``pid`` and all its descendants, in bytes (Linux /proc): the sum of their
    resident set sizes, and of their proportional set sizes.  Forked workers share their
    parent's pages, which the RSS sum counts once per process; the PSS sum counts each page
    once, split between the processes that share it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total_rss = total_pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        total_rss += rss.get(current, 0)
        total_pss += _pss(current)
        todo.extend(children.get(current, []))
    return total_rss, total_pss


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, tuple[int, int], int]:
    """(wall seconds, (peak RSS sum, peak PSS sum) of the process tree in bytes, exit code)."""
    peak = [(0, 0)]
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            if sys.platform.startswith("linux"):
                rss, pss = _tree_memory(process.pid)
                peak[0] = (max(peak[0][0], rss), max(peak[0][1], pss))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    return wall, peak[0], code


def big_script(lines: int) -> str:
    """A flagged legacy script of about ``lines`` lines: helpers, constants, module-level work."""
    parts = ["import multiprocessing as mp", "import os", "", "LIMIT = 10", ""]
    index = 0
    while sum(p.count("\n") + 1 for p in parts) < lines - 12:
        parts.append(
            textwrap.dedent(
                f"""\
                def work_{index}(x):
                    total = 0
                    for i in range(x % LIMIT):
                        total += i * {index}
                    return total

                values_{index} = [work_{index}(n) for n in range(3)]
                """
            )
        )
        index += 1
    parts.append(
        textwrap.dedent(
            """\
            with mp.Pool(2) as pool:
                print(sum(pool.map(work_0, range(20))))
            """
        )
    )
    return "\n".join(parts)


def rebinding_script(statements: int) -> str:
    """A flagged script of ``statements`` top-level rebindings of one name, then a Pool: the
    shape that made planning quadratic (every kept statement looked at every other)."""
    return "from multiprocessing import Pool\n" + "x = 1\n" * statements + (
        "\ndef double(v):\n    return v * 2\n\nwith Pool(2) as pool:\n    print(pool.map(double, [1, 2]))\n"
    )


#: libcst alone, as a command: read the file, parse it, print it back (the whole process is
#: timed, as guardfix's is: both pay for starting Python and importing libcst).
LIBCST_ROUND_TRIP = "import sys, libcst; libcst.parse_module(open(sys.argv[1], encoding='utf-8').read()).code"


def scaling(tmp: Path, rounds: int) -> list:
    """(statements, guardfix seconds, libcst parse+print seconds) for growing scripts."""
    rows = []
    for statements in SCALING_SIZES:
        script = tmp / f"rebinding_{statements}.py"
        script.write_text(rebinding_script(statements), encoding="utf-8")
        ours, theirs = [], []
        for _ in range(rounds):
            wall, _, _ = timed(guardfix_cmd("--check", "-q", "--no-cache", script.name), tmp, guardfix_env())
            ours.append(wall)
            wall, _, code = timed([sys.executable, "-c", LIBCST_ROUND_TRIP, str(script)], tmp, guardfix_env())
            if code != 0:
                raise SystemExit(f"libcst could not round-trip {script}")
            theirs.append(wall)
        rows.append((statements, median(ours), median(theirs)))
    return rows


def library_reuse(tmp: Path, rounds: int, imports: list) -> tuple:
    """A script importing installed packages, checked in a first project with an empty cache
    folder, then in a second project sharing that folder: (first, second) median seconds."""
    first, second = [], []
    script = "".join(f"import {name}\n" for name in imports) + "print('done')\n"
    for number in range(rounds):
        cache = tmp / f"libcache{number}"
        env = guardfix_env(GUARDFIX_CACHE_DIR=str(cache))
        for name, times in (("first", first), ("second", second)):
            project = tmp / f"{name}{number}"
            project.mkdir()
            (project / "uses_libraries.py").write_text(script, encoding="utf-8")
            wall, _, _ = timed(guardfix_cmd("--check", "-q", "uses_libraries.py"), project, env)
            times.append(wall)
    return median(first), median(second)


#: Statements in the scaling scripts (the target: the largest costs at most 4.5x the smallest).
SCALING_SIZES = (5_000, 20_000)
#: Installed packages the library-reuse rows import (those the running interpreter has).
LIBRARY_IMPORTS = ("hypothesis", "_pytest.python", "pygments.lexers", "setuptools")


def naive_seconds_per_file(tree: Path, sample: int) -> tuple[float, int]:
    """libcst.parse_module on a random sample of the tree's files: seconds per file."""
    import libcst

    files = sorted(tree.rglob("*.py"))
    random.Random(4).shuffle(files)
    chosen = files[:sample]
    start = time.perf_counter()
    parsed = 0
    for path in chosen:
        try:
            libcst.parse_module(path.read_bytes())
            parsed += 1
        except Exception:  # files libcst cannot parse still cost their attempt
            pass
    return (time.perf_counter() - start) / max(1, len(chosen)), len(files)


def instructions(cmd: list[str], cwd: Path, env: dict | None, tmp: Path) -> int:
    """Instructions one run of ``cmd`` executes, counted by valgrind's callgrind (child
    processes included).  Unlike a wall time, other work on the machine does not change it."""
    out = tmp / "callgrind.out.%p"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--trace-children=yes", f"--callgrind-out-file={out}", *cmd],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    total = sum(int(m.replace(",", "")) for m in re.findall(r"Collected : ([\d,]+)", done.stderr))
    for leftover in tmp.glob("callgrind.out.*"):
        leftover.unlink()
    return total


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="measurements per command (median reported)")
    parser.add_argument("--sample", type=int, default=150, help="files libcst parses for the naive baseline")
    parser.add_argument("--tree", action="append", type=Path, help="trees to measure (default: stdlib and site-packages)")
    parser.add_argument(
        "--baseline", metavar="GUARDFIX",
        help="another guardfix command (say 0.1 installed in its own virtual environment) run cold "
             "in the same rounds, alternating, for a side-by-side ratio",
    )
    parser.add_argument(
        "--instructions", action="store_true",
        help="also count the instructions of one warm rerun of guardfix and of ruff on each tree "
             "(valgrind's callgrind): a figure a busy machine does not disturb",
    )
    args = parser.parse_args()
    baseline = args.baseline.split() if args.baseline else None
    if args.instructions and shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind")

    trees = args.tree or [Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    rows = []
    base_rows: list[tuple] = []
    count_rows: list[tuple] = []
    # Compile guardfix's modules once (bytecode), as any installed tool has them.
    subprocess.run(guardfix_cmd("--version"), env=guardfix_env(), stdout=subprocess.DEVNULL, check=True)
    subprocess.run([sys.executable, "-c", "import fixer.rewrite, fixer.triage"], env=guardfix_env(), check=True)
    with tempfile.TemporaryDirectory(prefix="guardfix-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for number, source in enumerate(trees):
            tree = tmp / f"tree{number}"
            count = copy_tree(source, tree)
            cache = tmp / f"cache{number}"
            env = guardfix_env(GUARDFIX_CACHE_DIR=str(cache))
            cold, warm, ruff, rss, ruff_warm, edited, ruff_edited = [], [], [], [], [], [], []
            base_cold: list[float] = []
            codes = set()
            subprocess.run(guardfix_cmd("--check", "-q", "."), cwd=tree, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # primes the cache
            subprocess.run(ruff_cmd("check", "--select", "E9", "-q", "."), cwd=tree,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # and ruff's
            scripts = sorted(tree.rglob("*.py"))
            for round_number in range(args.rounds):
                wall, peak, code = timed(guardfix_cmd("--check", "-q", "--no-cache", "."), tree, env)
                cold.append(wall)
                rss.append(peak)
                codes.add(code)
                wall, _, _ = timed(ruff_cmd("check", "--select", "E9", "--no-cache", "-q", "."), tree)
                ruff.append(wall)
                if baseline is not None:
                    wall, _, _ = timed([*baseline, "--check", "-q", "--no-cache", "."], tree, env)
                    base_cold.append(wall)
                wall, _, _ = timed(guardfix_cmd("--check", "-q", "."), tree, env)
                warm.append(wall)
                wall, _, _ = timed(ruff_cmd("check", "--select", "E9", "-q", "."), tree)
                ruff_warm.append(wall)
                # One edited file: a comment appended (what a file read as a module by other
                # files' analysis makes guardfix analyse again is the normal path's business).
                victim = scripts[(round_number * 7919) % len(scripts)]
                with open(victim, "a", encoding="utf-8") as handle:
                    handle.write(f"\n# edited by the benchmark, round {round_number}\n")
                wall, _, _ = timed(guardfix_cmd("--check", "-q", "."), tree, env)
                edited.append(wall)
                wall, _, _ = timed(ruff_cmd("check", "--select", "E9", "-q", "."), tree)
                ruff_edited.append(wall)
                subprocess.run(guardfix_cmd("--check", "-q", "."), cwd=tree, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm again
            if 123 in codes:
                print(f"note: guardfix reported unreadable or unparsable files in {source}")
            per_file, total = naive_seconds_per_file(tree, args.sample)
            rows.append((source, count, median(cold), median(ruff), median(warm), max(r for r, _ in rss),
                         max(p for _, p in rss), per_file * total, median(ruff_warm), median(edited),
                         median(ruff_edited)))
            if baseline is not None:
                base_rows.append((source, median(cold), median(base_cold), median(ruff)))
            if args.instructions:
                count_rows.append((source, instructions(guardfix_cmd("--check", "-q", "."), tree, env, tmp),
                                   instructions(ruff_cmd("check", "--select", "E9", "-q", "."), tree, None, tmp)))

        scale_rows = scaling(tmp, args.rounds)
        import importlib.util

        present = [name for name in LIBRARY_IMPORTS if _findable(importlib.util, name)]
        library_rows = library_reuse(tmp, args.rounds, present) if present else None

        fix_times = []
        script = big_script(2000)
        for round_number in range(args.rounds):
            folder = tmp / f"fix{round_number}"
            folder.mkdir()
            (folder / "legacy.py").write_text(script, encoding="utf-8")
            wall, _, code = timed(guardfix_cmd("--write", "-q", "--no-cache", "legacy.py"), folder, guardfix_env())
            if code != 0:
                print(f"warning: fixing the 2,000-line script exited {code}")
            fix_times.append(wall)

    print()
    header = (f"{'tree':<48} {'files':>6} {'guardfix':>9} {'ruff E9':>8} {'ratio':>6} {'warm':>7} {'warm/cold':>9} "
              f"{'peak RSS':>9} {'peak PSS':>9} {'naive libcst':>12} {'gain':>6}")
    print(header)
    print("-" * len(header))
    ok = True
    for source, count, cold, ruff, warm, rss, pss, naive, *_ in rows:
        ratio, warm_ratio, rss_mb = cold / ruff, warm / cold, rss / 2**20
        ok &= ratio <= TARGETS["wall"] and warm_ratio <= TARGETS["warm"] and rss_mb <= TARGETS["rss_mb"]
        print(f"{str(source)[-48:]:<48} {count:>6} {cold:>8.2f}s {ruff:>7.2f}s {ratio:>5.2f}x {warm:>6.2f}s "
              f"{warm_ratio:>8.2f}x {rss_mb:>7.0f}MB {pss / 2**20:>7.0f}MB {naive:>11.1f}s {naive / cold:>5.0f}x")
    print()
    header = (f"{'warm reruns (seconds)':<48} {'guardfix':>9} {'ruff':>7} {'ratio':>6}   "
              f"{'1 edited':>9} {'ruff':>7} {'ratio':>6}")
    print(header)
    print("-" * len(header))
    for source, count, cold, ruff, warm, rss, pss, naive, ruff_warm, edited, ruff_edited in rows:
        warm_ruff, edit_ruff = warm / ruff_warm, edited / ruff_edited
        ok &= warm_ruff <= TARGETS["warm_ruff"] and edit_ruff <= TARGETS["edit_ruff"]
        print(f"{str(source)[-48:]:<48} {warm:>8.3f}s {ruff_warm:>6.3f}s {warm_ruff:>5.2f}x   "
              f"{edited:>8.3f}s {ruff_edited:>6.3f}s {edit_ruff:>5.2f}x")
    if base_rows:
        print()
        header = f"{'cold, side by side with --baseline':<48} {'guardfix':>9} {'baseline':>9} {'ratio':>6} {'ruff':>7}"
        print(header)
        print("-" * len(header))
        for source, ours, theirs, ruff in base_rows:
            print(f"{str(source)[-48:]:<48} {ours:>8.2f}s {theirs:>8.2f}s {ours / theirs:>5.2f}x {ruff:>6.2f}s")
    if count_rows:
        print()
        header = f"{'warm rerun, instructions (callgrind)':<48} {'guardfix':>14} {'ruff':>14} {'ratio':>6}"
        print(header)
        print("-" * len(header))
        for source, ours, theirs in count_rows:
            print(f"{str(source)[-48:]:<48} {ours:>14,} {theirs:>14,} {ours / theirs:>5.2f}x")
    fix = median(fix_times)
    ok &= fix <= TARGETS["fix_s"]
    print(f"\nfix one flagged 2,000-line script (guardfix --write, whole command): median {fix:.2f} s")
    print()
    header = f"{'one script, N rebinding statements':<40} {'guardfix':>9} {'libcst parse+print':>19} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for statements, ours, theirs in scale_rows:
        ratio = ours / theirs
        ok &= ratio <= TARGETS["libcst"]
        print(f"{statements:>40,} {ours:>8.2f}s {theirs:>18.2f}s {ratio:>5.2f}x")
    growth = scale_rows[-1][1] / scale_rows[0][1]
    ok &= growth <= TARGETS["growth"]
    print(f"{SCALING_SIZES[-1]:,} statements cost {growth:.2f}x the {SCALING_SIZES[0]:,}-statement run "
          f"(linear: {SCALING_SIZES[-1] / SCALING_SIZES[0]:.1f}x)")
    if library_rows is not None:
        first, second = library_rows
        print(f"\na script importing {', '.join(present)} (installed), checked in a new project: "
              f"{first:.2f} s with an empty cache folder, {second:.2f} s in a second project sharing it "
              f"({first / second:.1f}x faster: installed modules' answers are stored per environment)")
    print(f"targets: guardfix/ruff <= {TARGETS['wall']}x, warm/cold <= {TARGETS['warm']}x, "
          f"warm/ruff warm <= {TARGETS['warm_ruff']}x, one edited file/ruff warm <= {TARGETS['edit_ruff']}x, "
          f"peak RSS (summed over the process tree) <= {TARGETS['rss_mb']:.0f} MB, 2,000-line fix <= {TARGETS['fix_s']} s")
    print(f"medians of {args.rounds} alternating rounds; naive libcst scaled from {args.sample} sampled files")
    print("all targets met" if ok else "some targets NOT met (see the table)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
