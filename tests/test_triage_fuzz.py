"""Property-based test of the triage on random small projects (hypothesis).

Each example is a project of a few modules in a few kinds of place -- the top folder, a
package, a subpackage, a namespace folder without ``__init__.py`` -- importing each other
in every style Python allows (``import a.b``, ``import a.b as c``, ``from a import b``,
``from a.b import f``, relative imports, parenthesised lists, imports inside functions),
some of them starting processes, some in a folder discovery leaves out, some in a package
root that setup.cfg declares (py/), some in a folder importers add to ``sys.path``; the run covers the
whole project, one package of it, or one script named alone.  Whatever the file-by-file question picks, the triage must
pick too.  Derandomized in CI, like tests/test_fuzz.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import event, given, settings
from hypothesis import strategies as st

from fixer.discover import discover, real_path
from fixer.project import Project
from fixer.targets import PREFILTER_TOKENS, mentions_tokens
from fixer.triage import triage_files

PROFILE = os.environ.get("GUARDFIX_FUZZ_PROFILE", "ci")
EXAMPLES = 3000 if PROFILE == "long" else 150

#: (folder, is a package, dotted prefix of the modules in it); ``build`` is a folder that
#: discovery leaves out, so its modules are never seen by the triage.
PLACES = [
    ("", False, ""), ("pkg", True, "pkg."), ("pkg/sub", True, "pkg.sub."), ("ns", False, "ns."),
    ("build", True, "build."),
    # a package under a root that setup.cfg declares (where = py), and a folder of plain
    # modules that importers put on sys.path themselves
    ("py/lib", True, "lib."), ("vendor", False, ""),
]
SETUP_CFG = "[options.packages.find]\nwhere = py\n"


@st.composite
def projects(draw: st.DrawFn) -> dict:
    count = draw(st.integers(min_value=2, max_value=6))
    modules = []
    for number in range(count):
        folder, package, prefix = draw(st.sampled_from(PLACES))
        modules.append({"name": f"m{number}", "folder": folder, "package": package, "prefix": prefix})
    files: dict = {"setup.cfg": SETUP_CFG}
    for place, package, _ in PLACES:
        if package:
            files[f"{place}/__init__.py"] = ""
    for index, module in enumerate(modules):
        lines, calls = [], []
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append("from multiprocessing import Process")
            calls.append("Process(target=print).start()")
        for other in draw(st.lists(st.sampled_from(modules), max_size=3, unique_by=lambda m: m["name"])):
            if other is module:
                continue
            imported, call = _import_line(draw, module, other)
            if imported is None:
                continue
            if draw(st.booleans()):
                lines.append(imported)
                calls.append(call)
            else:  # imported inside the function that calls it
                calls.append(imported.replace("\n", "\n    ") + "\n    " + call)
        body = "\n    ".join(calls) or "pass"
        lines.append(f"\n\ndef f_{module['name']}():\n    {body}\n")
        if draw(st.booleans()):
            lines.append(f"f_{module['name']}()\n")  # a top-level call: a script
        path = f"{module['folder']}/{module['name']}.py" if module["folder"] else f"{module['name']}.py"
        files[path] = "\n".join(lines)
    return files


def _import_line(draw: st.DrawFn, module: dict, other: dict) -> tuple:
    """An import of ``other`` from ``module`` and the call of its function it allows."""
    imported, call = _import_line_of(draw, module, other)
    if other["folder"] == "vendor" and module["folder"] != "vendor" and imported is not None:
        up = os.path.relpath("vendor", module["folder"] or ".")
        imported = f"import os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), {up!r}))\n" + imported
    return imported, call


def _import_line_of(draw: st.DrawFn, module: dict, other: dict) -> tuple:
    name, dotted, func = other["name"], other["prefix"] + other["name"], f"f_{other['name']}"
    styles = ["import", "import-as", "from-module", "from-function", "parenthesised", "star"]
    same_package = module["package"] and module["folder"] == other["folder"]
    if same_package:
        styles += ["relative-module", "relative-function"]
    style = draw(st.sampled_from(styles))
    if style == "import":
        return f"import {dotted}", f"{dotted}.{func}()"
    if style == "import-as":
        return f"import {dotted} as alias_{name}", f"alias_{name}.{func}()"
    if style == "from-module":
        if not other["prefix"]:
            return f"import {name}", f"{name}.{func}()"
        return f"from {other['prefix'].rstrip('.')} import {name}", f"{name}.{func}()"
    if style == "from-function":
        return f"from {dotted} import {func}", f"{func}()"
    if style == "star":
        return f"from {dotted} import *", f"{func}()"
    if style == "parenthesised":
        return f"from {dotted} import (\n    {func},\n)", f"{func}()"
    if style == "relative-module":
        return f"from . import {name}", f"{name}.{func}()"
    return f"from .{name} import {func}", f"{func}()"


def write_project(files: dict) -> Path:
    """The project ``files`` (path -> text) in a new temporary folder."""
    root = Path(tempfile.mkdtemp(prefix="guardfix-triage-"))
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=PROFILE != "long")
@given(projects(), st.sampled_from(["all", "package", "script"]))
def test_the_triage_picks_every_file_the_exact_question_picks(files: dict, scope: str) -> None:
    root = write_project(files)
    try:
        scripts = sorted(p for p in root.rglob("*.py") if p.name != "__init__.py")
        given_paths = {"all": [root], "package": [root / "pkg"] if (root / "pkg").exists() else [root],
                       "script": scripts[:1]}[scope]
        found = discover(given_paths)
        paths = [c.path for c in found.candidates]
        reals = [real_path(p) for p in paths]
        triage = triage_files(paths, reals, found.coverage, Project(files=paths, cwd=root), PREFILTER_TOKENS)
        fresh = Project(files=paths, cwd=root)
        for number, path in enumerate(paths):
            data = path.read_bytes()
            if mentions_tokens(data) or fresh.imports_spawner_module(data, path):
                assert number in triage.send, (str(path.relative_to(root)), files)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@settings(max_examples=EXAMPLES // 3, deadline=None, database=None, derandomize=PROFILE != "long")
@given(projects())
def test_a_triaged_run_reports_what_the_file_by_file_analysis_reports(files: dict) -> None:
    """The whole run (triage, answers shared with the analysis, analyzers reused) against
    each file analysed on its own with a fresh view of the project: the same statuses and
    the same findings at the same places.  (Which call chain is shown may differ when the
    functions call each other in a cycle: both runs then show a valid chain, found from
    different starting points.  Each chain must still start at its finding and end at a
    process start.)"""
    from fixer.model import Options
    from fixer.pipeline import process_files
    from fixer.runner import Runner

    root = write_project(files)
    try:
        found = discover([root])
        items = [(c.path, c.display) for c in found.candidates]
        triaged = list(Runner(items, Options(), jobs=1, cwd=root, coverage=found.coverage).run())
        alone = list(process_files(items, Options(), Project(files=[p for p, _ in items], cwd=root)))

        def verdicts(results: list) -> list:
            return [(r.display, r.status, [(f.code, f.line, f.col) for f in r.findings]) for r in results]

        assert verdicts(triaged) == verdicts(alone), files
        for result in triaged:
            for finding in result.findings:
                if finding.chain:
                    assert finding.chain[0].line == finding.line, (result.display, finding)
                    assert finding.chain[-1].label.endswith(("start()", ")")), (result.display, finding)
                    assert "Process" in finding.chain[-1].label, (result.display, finding)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@settings(max_examples=EXAMPLES // 3, deadline=None, database=None, derandomize=PROFILE != "long")
@given(projects())
def test_an_edit_that_keeps_the_imports_gets_a_cold_runs_answer_from_the_cache(files: dict) -> None:
    """Every file is edited in turn in a way that keeps its import lines but matters if it
    can reach a process start: a top-level call of its function is added (or removed).
    Each time, the run that reuses the cache (settling an inert file, triaging again for a
    file others import, or analysing the file alone) reports what a cold run reports; an
    inert file's edit (of a file no analysis read) is answered without analysing anything."""
    from fixer.cache import Manifest, decode_record
    from fixer.model import Options
    from fixer.runner import Runner

    root = write_project(files)
    try:
        found = discover([root])
        items = [(c.path, c.display) for c in found.candidates]

        def run(cache: "Path | None") -> tuple:
            runner = Runner(items, Options(), jobs=1, cwd=root, coverage=found.coverage, cache_dir=cache,
                            need_sources=False)
            results = [(r.display, r.status, [(f.code, f.line) for f in r.findings]) for r in runner.run()]
            return results, runner

        cache = root / ".cache"
        run(cache)
        (record,) = cache.glob("run-*.rec")
        inert = Manifest.from_json(decode_record(record.read_bytes())).inert
        event(f"inert files: {min(len(inert), 3)}{'+' if len(inert) > 3 else ''}")
        for path, _ in items:
            if path.name == "__init__.py":
                continue
            real = real_path(path)
            before = Manifest.from_json(decode_record(record.read_bytes()))
            was_inert = real in before.inert and real not in before.modules  # (read by an analysis: stale)
            text = path.read_text()
            call = f"f_{path.stem}()\n"
            path.write_text(text[: -len(call)] if text.endswith(call) else text + call)
            cached, runner = run(cache)
            how = "inert" if was_inert else "triaged again" if runner._prepared else "other"
            event(f"edit: {how}, note: {runner.stats.cache_note.rpartition(' changed')[2][:40]}")
            if was_inert:
                assert runner.stats.analysed == 0, (real, runner.stats.cache_note, files)
            assert cached == run(None)[0], (real, files)
    finally:
        shutil.rmtree(root, ignore_errors=True)
