#!/usr/bin/env python3
"""Measure guardfix's recall on real repositories, at the commit before their own guard fix.

Each entry of ``benchmarks/recall_repos.toml`` names a public repository, the commit in
which its maintainers added ``if __name__ == "__main__":`` guards (``migration``), its
parent (``before``), and ``needed``: the files whose unguarded process start that commit
fixed.  For each entry this script

1. finds the repository's git directory under ``--mirrors`` (``OWNER+NAME/repo``, the
   layout the workplace's fetch tool makes, or a bare ``OWNER+NAME`` git directory);
2. extracts the tree of ``before`` into a temporary folder outside any git repository;
3. runs ``GUARDFIX --check --output-format json --no-cache PATH...`` in that folder
   (the paths are the entry's ``guardfix_args``, else ``.``, the repository root);
4. reports, per repository, the needed files, those guardfix found (a GF0xx finding,
   not only warnings), those it missed, and the other files it flagged (possible false
   positives, or files the maintainers did not fix), then a total found/needed line.

A repository whose mirror or ``before`` commit is absent is skipped with a message: the
mirrors come from the network, so this is a measuring tool, not a test.  Only the
standard library is used (Python 3.9+; TOML is read with ``tomllib`` when there is one,
else with a small reader of the subset the entries file uses).

Example::

    python benchmarks/recall.py --mirrors /work/.mirror --guardfix "guardfix -j1"
    python benchmarks/recall.py --repo desihub/desispec --json
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
DEFAULT_ENTRIES = HERE / "recall_repos.toml"
REQUIRED_KEYS = ("repo", "before", "needed")


# ----- reading the entries ---------------------------------------------------------------
def load_entries(path: Path) -> list[dict]:
    """The ``[[repo]]`` tables of the entries file, checked for the keys we need."""
    text = path.read_text(encoding="utf-8")
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.9 and 3.10
        data = _read_toml_subset(text, path)
    else:
        data = tomllib.loads(text)
    entries = data.get("repo", [])
    if not isinstance(entries, list):
        raise ValueError(f"{path}: 'repo' must be an array of tables ([[repo]])")
    for number, entry in enumerate(entries, 1):
        missing = [key for key in REQUIRED_KEYS if key not in entry]
        if missing:
            raise ValueError(f"{path}: entry {number} lacks {', '.join(missing)}")
        if not isinstance(entry["needed"], list):
            raise ValueError(f"{path}: entry {number} ({entry['repo']}): 'needed' must be a list")
    return entries


def _read_toml_subset(text: str, path: Path) -> dict:
    """Read ``[[repo]]`` tables of ``key = value`` lines, where a value is a basic or
    literal string, an integer, a boolean, or an array of those (which may span lines)."""
    tables: list[dict] = []
    current: Optional[dict] = None
    pending_key, pending = None, ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw).strip()
        if pending_key is not None:
            pending += " " + line
            if _balanced(pending):
                current[pending_key] = _toml_value(pending, path, number)
                pending_key, pending = None, ""
            continue
        if not line:
            continue
        if line == "[[repo]]":
            current = {}
            tables.append(current)
            continue
        match = re.match(r"([A-Za-z0-9_-]+)\s*=\s*(.*)$", line)
        if not match or current is None:
            raise ValueError(f"{path}:{number}: cannot read this line without tomllib: {raw!r}")
        key, value = match.groups()
        if _balanced(value):
            current[key] = _toml_value(value, path, number)
        else:
            pending_key, pending = key, value
    if pending_key is not None:
        raise ValueError(f"{path}: unterminated array for {pending_key!r}")
    return {"repo": tables}


def _strip_comment(line: str) -> str:
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote and (quote == "'" or line[index - 1] != "\\"):
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:index]
    return line


def _balanced(value: str) -> bool:
    return value.count("[") <= value.count("]")


def _toml_value(value: str, path: Path, number: int) -> Any:
    value = value.strip()
    value = re.sub(r",\s*\]$", "]", value)  # a trailing comma in an array
    value = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", value))
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError) as error:
        raise ValueError(f"{path}:{number}: cannot read value {value!r} without tomllib") from error


# ----- one repository ----------------------------------------------------------------------
def find_mirror(mirrors: Path, repo: str) -> Optional[Path]:
    """The git directory of ``owner/name`` under ``mirrors``, or None."""
    base = mirrors / repo.replace("/", "+")
    # the fetch tool sometimes leaves a non-bare clone: OWNER+NAME/repo/.git
    for candidate in (base / "repo", base / "repo" / ".git", base, base / ".git"):
        if (candidate / "objects").is_dir() and (candidate / "HEAD").is_file():
            return candidate
    return None


def has_commit(git_dir: Path, sha: str) -> bool:
    result = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "-e", f"{sha}^{{commit}}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return result.returncode == 0


def inside_git_repository(folder: Path) -> bool:
    for parent in [folder, *folder.parents]:
        if (parent / ".git").exists():
            return True
    return False


def extract(git_dir: Path, sha: str, destination: Path) -> int:
    """Write the tree of ``sha`` into ``destination``; the number of files left out.

    Blobs are read one by one (``git cat-file --batch``), so a snapshot that lacks some
    large files still extracts: those files are left out and counted.  Symbolic links
    are made only when they stay inside ``destination``; submodules are left out."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", "--full-tree", sha],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False,
    )
    if listing.returncode != 0:
        raise RuntimeError(f"git ls-tree {sha} failed: {listing.stderr.decode(errors='replace').strip()}")
    entries = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, blob = meta.split()
        if kind == b"blob":
            entries.append((mode.decode(), blob.decode(), os.fsdecode(name)))
    root = os.path.realpath(destination)
    left_out = 0
    batch = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )
    try:
        for mode, blob, name in entries:
            batch.stdin.write(blob.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) < 3 or header[1] != b"blob":
                left_out += 1  # "<sha> missing": not in the snapshot
                continue
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after the content
            target = os.path.realpath(os.path.join(root, name))
            if not target.startswith(root + os.sep):
                left_out += 1
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if mode == "120000":
                link = os.path.realpath(os.path.join(os.path.dirname(target), os.fsdecode(data)))
                if link == root or link.startswith(root + os.sep):
                    os.symlink(os.fsdecode(data), target)
                else:
                    left_out += 1
                continue
            with open(target, "wb") as handle:
                handle.write(data)
            if mode == "100755":
                os.chmod(target, 0o755)
    finally:
        batch.stdin.close()
        batch.wait()
    return left_out


def normalise(path: str, root: Path) -> str:
    """A finding's path as a POSIX path relative to the repository root."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = Path(os.path.relpath(os.path.realpath(candidate), os.path.realpath(root)))
        except ValueError:  # pragma: no cover - another drive on Windows
            pass
    text = candidate.as_posix()
    while text.startswith("./"):
        text = text[2:]
    return text


def run_guardfix(command: list, root: Path, args: list, timeout: float) -> dict:
    """Run guardfix in ``root``; its findings, errors, exit code and wall time."""
    full = [*command, "--check", "--output-format", "json", "--no-cache", *args]
    started = time.monotonic()
    try:
        result = subprocess.run(
            full, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"command": full, "exit": None, "seconds": round(time.monotonic() - started, 2),
                "findings": [], "errors": [], "failure": f"timed out after {timeout:g} s"}
    except OSError as error:
        return {"command": full, "exit": None, "seconds": 0.0, "findings": [], "errors": [],
                "failure": f"cannot run {command[0]}: {error}"}
    seconds = round(time.monotonic() - started, 2)
    stderr = result.stderr.decode(errors="replace").strip()
    try:
        report = json.loads(result.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"command": full, "exit": result.returncode, "seconds": seconds, "findings": [],
                "errors": [], "failure": f"no JSON on stdout; stderr: {stderr[-2000:]}"}
    return {"command": full, "exit": result.returncode, "seconds": seconds,
            "findings": report.get("findings", []), "errors": report.get("errors", []),
            "failure": None, "stderr_tail": stderr.splitlines()[-1:] if stderr else []}


def prepare_environment(entry: dict, mirrors: Path, environments: Path) -> tuple:
    """The folder of a virtual-environment layout holding the entry's ``packages`` (for
    guardfix's ``--python``), built once under ``environments``; (folder, problem).

    A package is ``"NAME==VERSION"`` (installed from the package index with ``pip install
    --no-deps --target``: guardfix reads only the library's own code) or
    ``"mirror:OWNER/NAME@SHA:SUBDIR"`` (the packages in SUBDIR of that mirrored commit,
    copied in: for libraries that are not on the index)."""
    packages = list(entry.get("packages") or [])
    if not packages:
        return None, None
    folder = environments / entry["repo"].replace("/", "+")
    site = folder / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    marker = folder / "packages.json"
    if marker.is_file() and json.loads(marker.read_text()) == packages:
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    site.mkdir(parents=True)
    (folder / "pyvenv.cfg").write_text(f"home = {Path(sys.executable).parent}\n")
    for package in packages:
        if package.startswith("mirror:"):
            source, _, subdir = package[len("mirror:"):].partition(":")
            repo, _, sha = source.partition("@")
            git_dir = find_mirror(mirrors, repo)
            if git_dir is None or not has_commit(git_dir, sha):
                return None, f"{package}: no mirror of {repo} at {sha}"
            with tempfile.TemporaryDirectory(prefix="guardfix-recall-pkg-") as tmp:
                extract(git_dir, sha, Path(tmp))
                for item in (Path(tmp) / subdir).iterdir():
                    if item.is_dir() and (item / "__init__.py").is_file():
                        shutil.copytree(item, site / item.name)
        else:
            done = subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), package],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            if done.returncode != 0:
                return None, f"{package}: pip failed: {done.stderr.decode(errors='replace')[-500:]}"
    marker.write_text(json.dumps(packages))
    return folder, None


def measure(entry: dict, mirrors: Path, command: list, timeout: float, keep: bool,
            environments: Optional[Path] = None) -> dict:
    repo = entry["repo"]
    needed = [normalise(p, Path(".")) for p in entry["needed"]]
    outcome: dict = {"repo": repo, "before": entry["before"], "migration": entry.get("migration", ""),
                     "why": entry.get("why", ""), "needed": needed}
    git_dir = find_mirror(mirrors, repo)
    if git_dir is None:
        outcome["skipped"] = f"no mirror of {repo} under {mirrors} (expected {mirrors / repo.replace('/', '+')})"
        return outcome
    if not has_commit(git_dir, entry["before"]):
        outcome["skipped"] = f"commit {entry['before']} is not in the mirror {git_dir}"
        return outcome
    temp = Path(tempfile.mkdtemp(prefix="guardfix-recall-"))
    try:
        if inside_git_repository(temp):
            outcome["skipped"] = f"the temporary folder {temp} is inside a git repository; set TMPDIR"
            return outcome
        root = temp / repo.replace("/", "+")
        root.mkdir()
        outcome["left_out"] = extract(git_dir, entry["before"], root)
        (root / ".git").mkdir()  # a checkout's marker: the project root, as in a real clone
        args = list(entry.get("guardfix_args") or ["."])
        if environments is not None:
            env, problem = prepare_environment(entry, mirrors, environments)
            if problem:
                outcome["environment"] = f"not prepared: {problem}"
            elif env is not None:
                args += ["--python", str(env)]
                outcome["environment"] = str(env)
        run = run_guardfix(command, root, args, timeout)
        if keep:
            outcome["tree"] = str(root)
    finally:
        if not keep:
            shutil.rmtree(temp, ignore_errors=True)
    flagged: dict = {}
    for finding in run["findings"]:
        path = normalise(finding.get("path", ""), root)
        codes = flagged.setdefault(path, {"errors": [], "warnings": []})
        kind = "errors" if str(finding.get("code", "")).startswith("GF0") else "warnings"
        codes[kind].append(f"{finding.get('code')}:{finding.get('line')}")
    errored = {normalise(p, root) for p in flagged if flagged[p]["errors"]}
    outcome.update({
        "seconds": run["seconds"], "exit": run["exit"], "failure": run["failure"],
        "command": run["command"],
        "found": [p for p in needed if p in errored],
        "missed": [p for p in needed if p not in errored],
        "extra": sorted(p for p in errored if p not in needed),
        "flagged": flagged,
        "errors": [{**error, "path": normalise(error.get("path", ""), root)} for error in run["errors"]],
    })
    return outcome


# ----- output ------------------------------------------------------------------------------
def print_text(outcomes: list) -> None:
    total_found = total_needed = 0
    for outcome in outcomes:
        print(f"== {outcome['repo']} @ {outcome['before'][:12]}")
        if "skipped" in outcome:
            print(f"   skipped: {outcome['skipped']}")
            continue
        if outcome["failure"]:
            print(f"   guardfix failed: {outcome['failure']}")
        found, needed = len(outcome["found"]), len(outcome["needed"])
        total_found += found
        total_needed += needed
        left_out = f", {outcome['left_out']} files absent from the mirror" if outcome.get("left_out") else ""
        print(f"   guardfix: exit {outcome['exit']}, {outcome['seconds']:.2f} s{left_out}")
        if outcome.get("environment"):
            print(f"   installed packages: {outcome['environment']}")
        print(f"   needed {needed}, found {found}")
        for path in outcome["found"]:
            print(f"     found  {path}  ({', '.join(outcome['flagged'][path]['errors'])})")
        for path in outcome["missed"]:
            warnings = outcome["flagged"].get(path, {}).get("warnings")
            suffix = f"  (only warnings: {', '.join(warnings)})" if warnings else ""
            print(f"     missed {path}{suffix}")
        print(f"   extra flagged files: {len(outcome['extra'])}")
        for path in outcome["extra"]:
            print(f"     extra  {path}  ({', '.join(outcome['flagged'][path]['errors'])})")
        for error in outcome["errors"]:
            internal = " (internal error)" if error.get("internal") else ""
            print(f"     error  {error['path']}{internal}: {error.get('message')}")
    ran = [o for o in outcomes if "skipped" not in o]
    print(f"total: found {total_found}/{total_needed} needed files in {len(ran)} repositories"
          f" ({len(outcomes) - len(ran)} skipped)")


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Measure guardfix's recall on real repositories at the commit before "
                    "their maintainers' own guard migration (see the module docstring).",
    )
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"),
                        help="folder of git mirrors, laid out OWNER+NAME/repo (default: %(default)s)")
    parser.add_argument("--guardfix", default="guardfix",
                        help="the guardfix command, split like a shell would (default: %(default)s)")
    parser.add_argument("--entries", type=Path, default=DEFAULT_ENTRIES,
                        help="the TOML file of repositories (default: recall_repos.toml next to this script)")
    parser.add_argument("--repo", action="append", default=[], metavar="OWNER/NAME",
                        help="measure only this repository (repeatable)")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds one guardfix run may take (default: %(default)s)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the extracted trees and print where they are")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON document")
    parser.add_argument("--environments", type=Path, metavar="DIR",
                        help="install each entry's `packages` into an environment under DIR and pass it "
                             "to guardfix with --python (default: no packages; needs the package index)")
    options = parser.parse_args(argv)
    try:
        entries = load_entries(options.entries)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if options.repo:
        unknown = sorted(set(options.repo) - {e["repo"] for e in entries})
        if unknown:
            print(f"error: not in {options.entries}: {', '.join(unknown)}", file=sys.stderr)
            return 2
        entries = [e for e in entries if e["repo"] in options.repo]
    command = shlex.split(options.guardfix)
    if not command:
        print("error: --guardfix is empty", file=sys.stderr)
        return 2
    outcomes = []
    for entry in entries:  # one at a time: guardfix uses the CPUs itself
        if not options.json:
            print(f"measuring {entry['repo']} ...", file=sys.stderr, flush=True)
        outcomes.append(measure(entry, options.mirrors, command, options.timeout, options.keep, options.environments))
    if options.json:
        ran = [o for o in outcomes if "skipped" not in o]
        json.dump({
            "repositories": outcomes,
            "total": {"found": sum(len(o["found"]) for o in ran),
                      "needed": sum(len(o["needed"]) for o in ran),
                      "repositories": len(ran), "skipped": len(outcomes) - len(ran)},
        }, sys.stdout, indent=2)
        print()
    else:
        print_text(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
