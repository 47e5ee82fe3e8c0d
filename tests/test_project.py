"""fixer.project: the codebase as one view -- chains across modules, library modules, the prefilter."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent
from typing import Optional

import pytest

from fixer.model import Options, SourceResult, Status
from fixer.pipeline import process_source
from fixer.project import FileResolver, Project, find_module_file, module_name_for, scan_imports

POOL_HELPER = """\
from multiprocessing import Pool


def run():
    with Pool(2) as pool:
        return pool.map(abs, [-1, 2])
"""


def make(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` (relative path -> dedented source) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")


def check(
    root: Path,
    script: str,
    files: Optional[list[str]] = None,
    options: Options = Options(),
) -> SourceResult:
    """Process ``root/script`` with a project discovering ``files`` (default: the script only)."""
    path = root / script
    project = Project(files=[root / f for f in (files or [script])], cwd=root)
    return process_source(path.read_bytes(), path.name, options, project, path)


def codes(result: SourceResult) -> list[tuple[str, int, int]]:
    return [(f.code.value, f.line, f.col) for f in result.findings]


# ----- cross-module chains (GF002) --------------------------------------------------------


def test_sibling_import_is_followed_when_only_the_script_is_given(tmp_path: Path) -> None:
    make(tmp_path, {
        "helpers.py": POOL_HELPER,
        "script.py": """\
            from helpers import run

            print(run())
            """,
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 3, 7)]
    assert result.findings[0].message == "calls run() (helpers.py:4) → Pool(...) (helpers.py:5)"
    assert result.status is Status.FIXED
    assert b'if __name__ == "__main__":' in (result.new_source or b"")


def test_only_the_script_is_rewritten(tmp_path: Path) -> None:
    make(tmp_path, {
        "helpers.py": POOL_HELPER,
        "script.py": "from helpers import run\nrun()\n",
    })
    check(tmp_path, "script.py", ["script.py", "helpers.py"])
    assert (tmp_path / "helpers.py").read_text() == POOL_HELPER


IMPORT_FORMS = [
    pytest.param(
        """\
        import pkg.mod

        pkg.mod.f()
        """,
        "pkg.mod.f()",
        id="import-pkg-mod",
    ),
    pytest.param(
        """\
        import pkg.mod as m

        m.f()
        """,
        "m.f()",
        id="import-pkg-mod-as",
    ),
    pytest.param(
        """\
        from pkg import mod

        mod.f()
        """,
        "mod.f()",
        id="from-pkg-import-mod",
    ),
    pytest.param(
        """\
        from pkg.mod import f as g

        g()
        """,
        "g()",
        id="from-pkg-mod-import-f-as-g",
    ),
    pytest.param(
        """\
        from pkg import f

        f()
        """,
        "f()",
        id="reexport-through-init",
    ),
    pytest.param(
        """\
        import pkg

        pkg.f()
        """,
        "pkg.f()",
        id="reexport-through-init-attribute",
    ),
]


@pytest.mark.parametrize(("script", "label"), IMPORT_FORMS)
def test_import_forms_reach_the_helper(tmp_path: Path, script: str, label: str) -> None:
    make(tmp_path, {
        "pkg/__init__.py": "from .mod import f\n",
        "pkg/mod.py": """\
            from concurrent.futures import ProcessPoolExecutor


            def f():
                with ProcessPoolExecutor(2) as executor:
                    return list(executor.map(abs, [-1]))
            """,
        "script.py": script,
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 3, 1)]
    assert result.findings[0].message == f"calls {label} (pkg/mod.py:4) → ProcessPoolExecutor(...) (pkg/mod.py:5)"
    assert [step.path for step in result.findings[0].chain] == ["script.py", "pkg/mod.py"]
    assert result.findings[0].chain[0].callee_path == "pkg/mod.py"
    assert result.findings[0].chain[0].callee_line == 4
    assert result.status is Status.FIXED


def test_reexport_chain_points_at_the_defining_module(tmp_path: Path) -> None:
    make(tmp_path, {
        "tools/__init__.py": '"""Tools."""\nfrom .core import run_all\n',
        "tools/core.py": """\
            from multiprocessing import Pool


            def run_all(items):
                with Pool(2) as pool:
                    return pool.map(abs, items)
            """,
        "script.py": "import tools\n\nprint(tools.run_all([1]))\n",
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 3, 7)]
    assert result.findings[0].message == "calls tools.run_all(...) (tools/core.py:4) → Pool(...) (tools/core.py:5)"


def test_relative_import_inside_a_package(tmp_path: Path) -> None:
    make(tmp_path, {
        "app/__init__.py": "",
        "app/engine.py": """\
            from multiprocessing import Pool


            def crunch(batches):
                with Pool(2) as pool:
                    return pool.map(sum, batches)
            """,
        "app/jobs.py": """\
            from .engine import crunch


            def nightly():
                return crunch([[1, 2], [3]])
            """,
        "run.py": "from app.jobs import nightly\n\nprint(nightly())\n",
    })
    result = check(tmp_path, "run.py")
    assert codes(result) == [("GF002", 3, 7)]
    assert result.findings[0].message == (
        "calls nightly() (app/jobs.py:4) → crunch(...) (app/engine.py:4) → Pool(...) (app/engine.py:5)"
    )


def test_parent_relative_import_inside_a_package(tmp_path: Path) -> None:
    make(tmp_path, {
        "app/__init__.py": "",
        "app/util.py": """\
            from multiprocessing import Process


            def x():
                p = Process(target=print)
                p.start()
                p.join()
            """,
        "app/sub/__init__.py": "",
        "app/sub/jobs.py": """\
            from ..util import x


            def nightly():
                x()
            """,
        "run.py": "from app.sub.jobs import nightly\nnightly()\n",
    })
    result = check(tmp_path, "run.py")
    assert codes(result) == [("GF002", 2, 1)]
    assert result.findings[0].message == (
        "calls nightly() (app/sub/jobs.py:4) → x() (app/util.py:4) → p.start() (app/util.py:6)"
    )


def test_relative_import_in_the_script_itself(tmp_path: Path) -> None:
    """`python -m app.sub.cli`: the script is inside a package and imports relatively."""
    make(tmp_path, {
        "app/__init__.py": "",
        "app/util.py": POOL_HELPER,
        "app/sub/__init__.py": "",
        "app/sub/cli.py": "from ..util import run\n\nrun()\n",
    })
    result = check(tmp_path, "app/sub/cli.py")
    assert codes(result) == [("GF002", 3, 1)]
    assert result.findings[0].message == "calls run() (app/util.py:4) → Pool(...) (app/util.py:5)"


def test_method_of_a_helper_class_on_a_module_level_instance(tmp_path: Path) -> None:
    make(tmp_path, {
        "helpers.py": """\
            from multiprocessing import Pool


            class Farm:
                def __init__(self, workers=2):
                    self.workers = workers

                def run(self, frames):
                    with Pool(self.workers) as pool:
                        return pool.map(abs, frames)
            """,
        "script.py": """\
            import helpers

            farm = helpers.Farm()
            farm.run([1, 2])
            """,
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 4, 1)]
    assert result.findings[0].message == "calls farm.run(...) (helpers.py:8) → Pool(...) (helpers.py:9)"


def test_helper_class_whose_init_starts_processes(tmp_path: Path) -> None:
    make(tmp_path, {
        "helpers.py": """\
            from multiprocessing import Manager


            class Store:
                def __init__(self):
                    self.manager = Manager()
            """,
        "script.py": "from helpers import Store\n\nstore = Store()\n",
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 3, 9)]
    assert result.findings[0].message == "calls Store() (helpers.py:4) → Manager() (helpers.py:6)"


def test_template_base_named_through_a_star_reexport_of_the_standard_library(tmp_path: Path) -> None:
    make(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/compat.py": "from unittest import *\n",
        "pkg/suite.py": """\
            from multiprocessing import Pool

            import pkg.compat as unittest


            class Suite(unittest.main):
                def runTests(self):
                    with Pool(2) as pool:
                        pool.map(abs, [-1])
            """,
        "script.py": "from pkg.suite import Suite\n\nSuite(module=None, argv=['x'], exit=False)\n",
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 3, 1)]
    assert result.findings[0].message == (
        "calls Suite(...) (pkg/suite.py:6) → runTests() (pkg/suite.py:7) → Pool(...) (pkg/suite.py:8)"
    )


def test_a_star_reexporting_module_that_defines_the_name_itself_is_not_the_template(tmp_path: Path) -> None:
    make(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/compat.py": "from unittest import *\n\n\nclass main:\n    pass\n",
        "pkg/suite.py": """\
            from multiprocessing import Pool

            import pkg.compat as unittest


            class Suite(unittest.main):
                def runTests(self):
                    with Pool(2) as pool:
                        pool.map(abs, [-1])
            """,
        "script.py": "from pkg.suite import Suite\n\nSuite()\n",
    })
    assert codes(check(tmp_path, "script.py")) == []


def test_test_case_class_handed_to_a_helper_that_runs_a_suite_of_it(tmp_path: Path) -> None:
    make(tmp_path, {
        "tools.py": """\
            import unittest


            class BaseCase(unittest.TestCase):
                pass


            def run_case(case):
                suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
                unittest.TextTestRunner().run(suite)
            """,
        "script.py": """\
            from multiprocessing import Process

            from tools import BaseCase, run_case


            class Check(BaseCase):
                def test_child(self):
                    child = Process(target=print)
                    child.start()
                    child.join()


            run_case(Check)
            """,
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 13, 1)]
    assert result.findings[0].message == (
        "calls run_case(...) (tools.py:8) → unittest.TextTestRunner().run(...) (script.py:6)"
        " → Check.test_child() (script.py:7) → child.start() (script.py:9)"
    )


def test_unittest_main_runs_a_test_case_whose_base_is_another_modules_test_case(tmp_path: Path) -> None:
    make(tmp_path, {
        "pkg/__init__.py": "from pkg.cases import BaseCase\n",
        "pkg/cases.py": "import unittest\n\n\nclass BaseCase(unittest.TestCase):\n    pass\n",
        "script.py": """\
            import unittest
            from multiprocessing import Pool

            from pkg import BaseCase


            class Check(BaseCase):
                def test_child(self):
                    with Pool(1) as pool:
                        pool.map(abs, [-1])


            unittest.main()
            """,
    })
    assert codes(check(tmp_path, "script.py")) == [("GF002", 13, 1)]


def test_unittest_main_ignores_a_class_whose_base_of_another_module_is_no_test_case(tmp_path: Path) -> None:
    make(tmp_path, {
        "cases.py": "class BaseCase:\n    pass\n",
        "script.py": """\
            import unittest
            from multiprocessing import Pool

            from cases import BaseCase


            class Check(BaseCase):
                def test_child(self):
                    with Pool(1) as pool:
                        pool.map(abs, [-1])


            unittest.main()
            """,
    })
    assert codes(check(tmp_path, "script.py")) == []


def test_two_hops_across_three_files_exact_message(tmp_path: Path) -> None:
    make(tmp_path, {
        "engine.py": """\
            from multiprocessing import Pool


            def b(items):
                # the pool
                with Pool(2) as pool:
                    return pool.map(abs, items)
            """,
        "helpers.py": """\
            from engine import b


            def a():
                return b([-1, -2])
            """,
        "script.py": """\
            from helpers import a

            result = a()
            print(result)
            """,
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 3, 10)]
    finding = result.findings[0]
    assert finding.message == "calls a() (helpers.py:4) → b(...) (engine.py:4) → Pool(...) (engine.py:6)"
    assert [(s.label, s.path, s.line, s.callee_path, s.callee_line) for s in finding.chain] == [
        ("a()", "script.py", 3, "helpers.py", 4),
        ("b(...)", "helpers.py", 5, "engine.py", 4),
        ("Pool(...)", "engine.py", 6, "", 0),
    ]


def test_helper_not_called_at_module_level_is_clean(tmp_path: Path) -> None:
    make(tmp_path, {
        "helpers.py": POOL_HELPER,
        "script.py": """\
            from helpers import run


            def later():
                return run()
            """,
    })
    result = check(tmp_path, "script.py")
    assert result.status is Status.CLEAN
    assert result.findings == ()


def test_helper_using_only_threads_gives_no_finding(tmp_path: Path) -> None:
    make(tmp_path, {
        "helpers.py": """\
            from concurrent.futures import ThreadPoolExecutor
            from multiprocessing.pool import ThreadPool
            from multiprocessing.dummy import Pool


            def run():
                with ThreadPool(2) as pool:
                    pool.map(abs, [1])
                with Pool(2) as pool:
                    pool.map(abs, [1])
                with ThreadPoolExecutor(2) as executor:
                    return list(executor.map(abs, [1]))
            """,
        "script.py": "from helpers import run\n\nrun()\n",
    })
    result = check(tmp_path, "script.py")
    assert result.findings == ()
    assert result.status in (Status.CLEAN, Status.SKIPPED)


def test_import_cycle_between_helpers_terminates_with_the_chain(tmp_path: Path) -> None:
    make(tmp_path, {
        "a.py": """\
            import b


            def f(n):
                if n:
                    return b.g(n - 1)
                return start()


            def start():
                from multiprocessing import Pool
                with Pool(2) as pool:
                    return pool.map(abs, [1])
            """,
        "b.py": """\
            import a


            def g(n):
                return a.f(n)
            """,
        "script.py": "import b\n\nb.g(3)\n",
    })
    result = check(tmp_path, "script.py", ["script.py", "a.py", "b.py"])
    assert codes(result) == [("GF002", 3, 1)]
    assert result.findings[0].message.startswith("calls b.g(...) (b.py:4) → a.f(...) (a.py:4)")
    assert result.findings[0].message.endswith("Pool(...) (a.py:12)")


def test_import_cycle_without_a_process_start_is_clean(tmp_path: Path) -> None:
    make(tmp_path, {
        "a.py": """\
            import multiprocessing
            import b


            def f(n):
                return b.g(n) + multiprocessing.cpu_count()
            """,
        "b.py": """\
            import a


            def g(n):
                return a.f(n - 1) if n else 0
            """,
        "script.py": "from a import f\nfrom b import g\n\nprint(f(2), g(2))\n",
    })
    result = check(tmp_path, "script.py", ["script.py", "a.py", "b.py"])
    assert result.findings == ()
    assert result.status in (Status.CLEAN, Status.SKIPPED)


def test_self_import_cycle_terminates(tmp_path: Path) -> None:
    make(tmp_path, {
        "loop.py": """\
            import loop
            import multiprocessing


            def f():
                return loop.f()
            """,
        "script.py": "import loop\nloop.f()\n",
    })
    result = check(tmp_path, "script.py")
    assert result.findings == ()
    assert result.status in (Status.CLEAN, Status.SKIPPED)


def test_unparsable_helper_is_no_finding_and_no_crash(tmp_path: Path) -> None:
    make(tmp_path, {
        "helpers.py": "import multiprocessing\ndef run(:\n",
        "script.py": "from helpers import run\nrun()\n",
    })
    result = check(tmp_path, "script.py")
    assert result.findings == ()
    assert result.status in (Status.CLEAN, Status.SKIPPED)


# ----- catalogue modules are never project files -------------------------------------------


def test_local_multiprocessing_file_does_not_shadow_the_catalogue(tmp_path: Path) -> None:
    make(tmp_path, {
        "multiprocessing.py": """\
            def Pool(n):
                return n
            """,
        "script.py": "from multiprocessing import Pool\n\nPool(2)\n",
    })
    result = check(tmp_path, "script.py", ["script.py", "multiprocessing.py"])
    assert codes(result) == [("GF001", 3, 1)]


def test_local_package_named_like_a_catalogued_library_is_not_followed(tmp_path: Path) -> None:
    make(tmp_path, {
        "joblib/__init__.py": POOL_HELPER,
        "script.py": "import joblib\n\njoblib.run()\n",
    })
    project = Project(files=[tmp_path / "script.py"], cwd=tmp_path)
    assert project.resolver_for(tmp_path / "script.py").chain_for("joblib.run") is None
    result = check(tmp_path, "script.py")
    assert result.findings == ()


# ----- module names and files ------------------------------------------------------------


def test_module_name_for_a_plain_script(tmp_path: Path) -> None:
    make(tmp_path, {"script.py": ""})
    assert module_name_for(tmp_path / "script.py") == ("script", tmp_path.resolve())


def test_module_name_for_a_module_in_nested_packages(tmp_path: Path) -> None:
    make(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/mod.py": ""})
    assert module_name_for(tmp_path / "pkg" / "sub" / "mod.py") == ("pkg.sub.mod", tmp_path.resolve())


def test_module_name_for_a_package_init(tmp_path: Path) -> None:
    make(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": ""})
    assert module_name_for(tmp_path / "pkg" / "sub" / "__init__.py") == ("pkg.sub", tmp_path.resolve())
    assert module_name_for(tmp_path / "pkg" / "__init__.py") == ("pkg", tmp_path.resolve())


def test_module_name_stops_at_a_folder_without_init(tmp_path: Path) -> None:
    make(tmp_path, {"scripts/tool.py": "", "scripts/lib/__init__.py": "", "scripts/lib/m.py": ""})
    assert module_name_for(tmp_path / "scripts" / "tool.py") == ("tool", (tmp_path / "scripts").resolve())
    assert module_name_for(tmp_path / "scripts" / "lib" / "m.py") == ("lib.m", (tmp_path / "scripts").resolve())


def test_find_module_file_module_and_package(tmp_path: Path) -> None:
    make(tmp_path, {"a/__init__.py": "", "a/b.py": "", "c/__init__.py": "", "c/d/__init__.py": ""})
    assert find_module_file("a.b", [tmp_path]) == tmp_path / "a" / "b.py"
    assert find_module_file("a", [tmp_path]) == tmp_path / "a" / "__init__.py"
    assert find_module_file("c.d", [tmp_path]) == tmp_path / "c" / "d" / "__init__.py"
    assert find_module_file("a.missing", [tmp_path]) is None
    assert find_module_file("nothing", [tmp_path]) is None


def test_find_module_file_first_folder_wins(tmp_path: Path) -> None:
    make(tmp_path, {"one/m.py": "", "two/m.py": "", "two/only.py": ""})
    search = [tmp_path / "one", tmp_path / "two"]
    assert find_module_file("m", search) == tmp_path / "one" / "m.py"
    assert find_module_file("only", search) == tmp_path / "two" / "only.py"


def test_find_module_file_package_wins_over_module_of_the_same_name(tmp_path: Path) -> None:
    """CPython's path finder checks for a package directory before a module file."""
    make(tmp_path, {"m.py": "", "m/__init__.py": ""})
    assert find_module_file("m", [tmp_path]) == tmp_path / "m" / "__init__.py"


def test_resolver_search_path_is_script_folder_then_package_root(tmp_path: Path) -> None:
    make(tmp_path, {"pkg/__init__.py": "", "pkg/mod.py": ""})
    resolver = Project(cwd=tmp_path).resolver_for(tmp_path / "pkg" / "mod.py")
    assert resolver.module == "pkg.mod"
    assert resolver.search == (str((tmp_path / "pkg").resolve()), str(tmp_path.resolve()))


ABSOLUTE = [
    pytest.param("pkg/sub/mod.py", 1, None, "pkg.sub", id="dot"),
    pytest.param("pkg/sub/mod.py", 1, "x", "pkg.sub.x", id="dot-x"),
    pytest.param("pkg/sub/mod.py", 2, "util", "pkg.util", id="dotdot-util"),
    pytest.param("pkg/sub/mod.py", 2, None, "pkg", id="dotdot"),
    pytest.param("pkg/sub/__init__.py", 1, "engine", "pkg.sub.engine", id="init-dot-engine"),
    pytest.param("pkg/sub/__init__.py", 2, "util", "pkg.util", id="init-dotdot-util"),
    pytest.param("pkg/__init__.py", 1, None, "pkg", id="top-init-dot"),
]


@pytest.mark.parametrize(("rel", "level", "module", "expected"), ABSOLUTE)
def test_file_resolver_absolute(tmp_path: Path, rel: str, level: int, module: Optional[str], expected: str) -> None:
    make(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/mod.py": ""})
    resolver = FileResolver(Project(cwd=tmp_path), tmp_path / rel)
    assert resolver.absolute(level, module) == expected


BEYOND_TOP = [
    pytest.param("pkg/sub/mod.py", 3, "util", id="three-dots-from-pkg-sub-mod"),
    pytest.param("pkg/sub/mod.py", 4, None, id="four-dots"),
    pytest.param("pkg/__init__.py", 2, "util", id="two-dots-from-top-init"),
    pytest.param("script.py", 1, "helpers", id="dot-from-top-level-script"),
    pytest.param("script.py", 2, "helpers", id="dotdot-from-top-level-script"),
]


@pytest.mark.parametrize(("rel", "level", "module"), BEYOND_TOP)
def test_file_resolver_absolute_beyond_the_top_level_package_is_none(
    tmp_path: Path, rel: str, level: int, module: Optional[str]
) -> None:
    """Python raises ImportError ("attempted relative import beyond top-level package" or
    "with no known parent package"): the import names no module."""
    make(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/mod.py": "", "script.py": ""})
    resolver = FileResolver(Project(cwd=tmp_path), tmp_path / rel)
    assert resolver.absolute(level, module) is None


# ----- scan_imports ------------------------------------------------------------------------

SCANS = [
    pytest.param("import a\n", ["a"], id="import"),
    pytest.param("import a.b as c, d\n", ["a.b", "d"], id="import-dotted-as-and-more"),
    pytest.param("import a, b.c  # note\n", ["a", "b.c"], id="import-comment"),
    pytest.param("from a.b import c as d, e\n", ["a.b", "a.b.c", "a.b.e"], id="from-import-as"),
    pytest.param("from a import *\n", ["a"], id="star"),
    pytest.param(
        """\
        from pkg import (
            alpha,
            beta as b,
            gamma,
        )
        """,
        ["pkg", "pkg.alpha", "pkg.beta", "pkg.gamma"],
        id="parenthesised-multi-line",
    ),
    pytest.param(
        """\
        from pkg import (
            alpha,  # the first
            beta,
        )
        """,
        ["pkg", "pkg.alpha", "pkg.beta"],
        id="parenthesised-with-comments",
    ),
    pytest.param(
        """\
        def f():
            import inner
            from other import x
        """,
        ["inner", "other", "other.x"],
        id="indented",
    ),
    pytest.param("x = 1; import after\n", [], id="after-semicolon-not-seen"),
]


@pytest.mark.parametrize(("src", "expected"), SCANS)
def test_scan_imports(tmp_path: Path, src: str, expected: list[str]) -> None:
    resolver = FileResolver(Project(cwd=tmp_path), tmp_path / "script.py")
    assert scan_imports(dedent(src).encode(), resolver) == expected


RELATIVE_SCANS = [
    pytest.param("from .engine import crunch\n", ["pkg.sub.engine", "pkg.sub.engine.crunch"], id="dot-module"),
    pytest.param("from . import engine, util\n", ["pkg.sub", "pkg.sub.engine", "pkg.sub.util"], id="dot-import"),
    pytest.param("from ..util import x\n", ["pkg.util", "pkg.util.x"], id="dotdot-module"),
    pytest.param("from .. import (\n    util,\n)\n", ["pkg", "pkg.util"], id="dotdot-parenthesised"),
]


@pytest.mark.parametrize(("src", "expected"), RELATIVE_SCANS)
def test_scan_imports_relative(tmp_path: Path, src: str, expected: list[str]) -> None:
    make(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/mod.py": ""})
    resolver = FileResolver(Project(cwd=tmp_path), tmp_path / "pkg" / "sub" / "mod.py")
    assert scan_imports(src.encode(), resolver) == expected


# ----- library modules (GF004) -------------------------------------------------------------

LIBRARY = """\
from multiprocessing import Pool


def _cube(n):
    return n ** 3


with Pool(2) as _pool:
    CUBES = _pool.map(_cube, range(10))
"""


def test_module_imported_by_another_discovered_file_is_gf004(tmp_path: Path) -> None:
    make(tmp_path, {
        "workerlib.py": LIBRARY,
        "app.py": "import workerlib\n\nif __name__ == '__main__':\n    print(workerlib.CUBES)\n",
    })
    result = check(tmp_path, "workerlib.py", ["app.py", "workerlib.py"])
    assert codes(result) == [("GF004", 8, 6)]
    assert result.status is Status.DECLINED
    assert result.new_source is None
    assert result.findings[0].message == "starts processes at import time (Pool(...) at line 8); imported by app.py"
    assert "imported by app.py" in result.reason


def test_module_imported_through_a_package_is_gf004(tmp_path: Path) -> None:
    make(tmp_path, {
        "lib/__init__.py": "",
        "lib/workers.py": LIBRARY,
        "lib/report.py": "from . import workers\n",
        "main.py": "from lib.workers import CUBES\n",
    })
    result = check(tmp_path, "lib/workers.py", ["lib/__init__.py", "lib/report.py", "lib/workers.py", "main.py"])
    assert codes(result) == [("GF004", 8, 6)]
    assert result.findings[0].message.endswith("imported by lib/report.py, main.py")


def test_importer_using_a_parenthesised_import_with_comments_is_seen(tmp_path: Path) -> None:
    make(tmp_path, {
        "lib/__init__.py": "",
        "lib/workers.py": LIBRARY,
        "app.py": """\
            from lib import (  # the lookup tables
                workers,
            )

            if __name__ == "__main__":
                print(workers.CUBES)
            """,
    })
    result = check(tmp_path, "lib/workers.py", ["app.py", "lib/__init__.py", "lib/workers.py"])
    assert codes(result) == [("GF004", 8, 6)]
    assert result.status is Status.DECLINED
    assert result.new_source is None


def test_module_without_importer_among_discovered_files_is_a_script(tmp_path: Path) -> None:
    make(tmp_path, {
        "workerlib.py": LIBRARY,
        "other.py": "import json\nprint('workerlib')\n",
    })
    result = check(tmp_path, "workerlib.py", ["other.py", "workerlib.py"])
    assert codes(result) == [("GF001", 8, 6)]
    assert result.status is Status.FIXED


def test_importer_outside_the_discovered_files_does_not_count(tmp_path: Path) -> None:
    make(tmp_path, {"workerlib.py": LIBRARY, "app.py": "import workerlib\n"})
    result = check(tmp_path, "workerlib.py", ["workerlib.py"])
    assert codes(result) == [("GF001", 8, 6)]


def test_importers_of_lists_display_paths_sorted(tmp_path: Path) -> None:
    make(tmp_path, {
        "workerlib.py": "",
        "z.py": "import workerlib\n",
        "a.py": "from workerlib import CUBES\n",
        "b.py": "print('workerlib is mentioned but not imported')\n",
        "c.py": "import workerlib_extra\n",
    })
    files = [tmp_path / n for n in ("z.py", "a.py", "b.py", "c.py", "workerlib.py")]
    project = Project(files=files, cwd=tmp_path)
    assert project.importers_of(tmp_path / "workerlib.py") == ["a.py", "z.py"]


# ----- the prefilter looks through imports --------------------------------------------------


def test_prefilter_admits_a_script_importing_a_spawning_helper(tmp_path: Path) -> None:
    make(tmp_path, {"helpers.py": POOL_HELPER, "script.py": "from helpers import run\nrun()\n"})
    project = Project(files=[tmp_path / "script.py"], cwd=tmp_path)
    data = (tmp_path / "script.py").read_bytes()
    assert project.imports_spawner_module(data, tmp_path / "script.py")
    assert check(tmp_path, "script.py").status is Status.FIXED


def test_prefilter_admits_a_script_whose_helper_imports_a_spawning_helper(tmp_path: Path) -> None:
    make(tmp_path, {
        "engine.py": POOL_HELPER,
        "middle.py": "from engine import run\n\n\ndef go():\n    return run()\n",
        "script.py": "import middle\nmiddle.go()\n",
    })
    project = Project(files=[tmp_path / "script.py"], cwd=tmp_path)
    assert project.imports_spawner_module((tmp_path / "script.py").read_bytes(), tmp_path / "script.py")
    assert codes(check(tmp_path, "script.py")) == [("GF002", 2, 1)]


def test_prefilter_skips_a_script_importing_only_non_spawning_helpers(tmp_path: Path) -> None:
    make(tmp_path, {
        "helpers.py": "import json\n\n\ndef run():\n    return json.dumps([1])\n",
        "other.py": "import helpers\n",
        "script.py": "import os\nfrom helpers import run\nimport other\nrun()\n",
    })
    project = Project(files=[tmp_path / "script.py"], cwd=tmp_path)
    assert not project.imports_spawner_module((tmp_path / "script.py").read_bytes(), tmp_path / "script.py")
    result = check(tmp_path, "script.py")
    assert result.status is Status.SKIPPED
    assert result.reason == "no process-starting API is mentioned"


def test_prefilter_admits_a_helper_imported_in_a_parenthesised_list_with_comments(tmp_path: Path) -> None:
    make(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/quiet.py": "",
        "pkg/loud.py": POOL_HELPER,
        "script.py": """\
            from pkg import (
                quiet,  # does nothing
                loud,
            )

            loud.run()
            """,
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 6, 1)]


def test_prefilter_without_project_skips_the_script(tmp_path: Path) -> None:
    result = process_source(b"from helpers import run\nrun()\n", "script.py")
    assert result.status is Status.SKIPPED


def test_prefilter_answer_for_a_module_in_an_import_cycle_does_not_depend_on_order(tmp_path: Path) -> None:
    """a imports b and the spawning engine; b imports only a.  Asking about a first must not
    leave b recorded as harmless: b reaches the engine through a."""
    make(tmp_path, {
        "engine.py": POOL_HELPER,
        "a.py": "import b\nimport engine\n\n\ndef f():\n    return engine.run()\n",
        "b.py": "import a\n\n\ndef g():\n    return a.f()\n",
        "first.py": "import a\na.f()\n",
        "second.py": "import b\nb.g()\n",
    })
    files = [tmp_path / n for n in ("first.py", "second.py")]
    project = Project(files=files, cwd=tmp_path)
    results = [
        process_source(path.read_bytes(), path.name, Options(), project, path) for path in files
    ]
    assert [codes(r) for r in results] == [[("GF002", 2, 1)], [("GF002", 2, 1)]]


def test_every_entry_into_a_recursive_cycle_across_helpers_is_found(tmp_path: Path) -> None:
    """a.f calls b.g, which calls a.f back; a.f also starts a pool.  Once a.f has been
    followed, b.g must not be remembered as harmless."""
    make(tmp_path, {
        "a.py": """\
            from multiprocessing import Pool
            import b


            def f(n):
                if n:
                    return b.g(n - 1)
                with Pool(2) as pool:
                    return pool.map(abs, [1])
            """,
        "b.py": """\
            import a


            def g(n):
                return a.f(n)
            """,
        "script.py": "import a\nimport b\n\na.f(1)\nb.g(1)\n",
    })
    result = check(tmp_path, "script.py", ["script.py", "a.py", "b.py"])
    assert codes(result) == [("GF002", 4, 1), ("GF002", 5, 1)]
    # b.g(1) hands the literal 1 on to a.f, whose ``if n:`` branch it decides: the chain goes
    # round the cycle once (n - 1 is no longer a literal) before it reaches the pool
    assert result.findings[1].message == (
        "calls b.g(...) (b.py:4) → a.f(...) (a.py:5) → b.g(...) (b.py:4) → a.f(...) (a.py:5) → Pool(...) (a.py:8)"
    )


def test_a_tree_full_of_import_cycles_is_read_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 6): every module of a package imports every other one, as large
    trees such as the standard library nearly do.  Deciding whether a script's imports can
    start processes must not explore the cycles again from every path (that took minutes on
    the standard library); each module is read a bounded number of times."""
    import fixer.project

    names = [f"m{i}" for i in range(8)]
    files = {f"{name}.py": "".join(f"import {other}\n" for other in names if other != name) for name in names}
    files["script.py"] = "".join(f"import {name}\n" for name in names) + "m0.run()\n"
    make(tmp_path, files)
    reads: list[str] = []
    real_read = fixer.project.read_bytes

    def counting_read(path: Path) -> bytes:
        reads.append(Path(path).name)
        return real_read(path)

    monkeypatch.setattr(fixer.project, "read_bytes", counting_read)
    result = check(tmp_path, "script.py", ["script.py", *files])
    assert result.status is Status.SKIPPED
    assert max(reads.count(f"{name}.py") for name in names) <= 2, sorted(set(reads))


# ----- imports of a module chosen at run time ------------------------------------------------
PLUGINS = {
    "plugins/__init__.py": "",
    "plugins/aserial.py": "def run():\n    return 1\n",
    "plugins/mpi.py": POOL_HELPER,
    "plugins/nested/__init__.py": "from multiprocessing import Process\n\ndef run():\n    Process(target=print).start()\n",
    "plugins/not-a-module.py": "",
}


@pytest.mark.parametrize(
    "line",
    [
        'importlib.import_module("plugins." + kind).run()',
        'importlib.import_module(f"plugins.{kind}").run()',
        '__import__("plugins.%s" % kind, fromlist=["run"]).run()',
    ],
)
def test_an_import_with_a_literal_package_prefix_may_be_any_module_of_it(tmp_path: Path, line: str) -> None:
    make(tmp_path, {**PLUGINS, "script.py": f"import importlib\nkind = 'mpi'\n{line}\n"})
    project = Project(files=[tmp_path / "script.py"], cwd=tmp_path)
    resolver = project.resolver_for(tmp_path / "script.py")
    data = (tmp_path / "script.py").read_bytes()
    assert scan_imports(data, resolver)[:4] == ["plugins", "plugins.aserial", "plugins.mpi", "plugins.nested"]
    assert project.imports_spawner_module(data, tmp_path / "script.py")


def test_chain_for_any_takes_the_shortest_chain_of_any_module(tmp_path: Path) -> None:
    make(tmp_path, {**PLUGINS, "script.py": ""})
    resolver = Project(files=[tmp_path / "script.py"], cwd=tmp_path).resolver_for(tmp_path / "script.py")
    found = resolver.chain_for_any("plugins", "run")
    assert found is not None and found.path.endswith(("plugins/mpi.py", "plugins/nested/__init__.py"))
    assert found.steps[-1].label.startswith(("Pool", "Process"))
    assert resolver.chain_for_any("plugins", "missing") is None
    assert resolver.chain_for_any("nowhere", "run") is None


def test_the_triage_sends_a_file_importing_a_computed_module_name(tmp_path: Path) -> None:
    from fixer.discover import discover, real_path
    from fixer.triage import triage_files

    make(tmp_path, {**PLUGINS, "script.py": "import importlib\nimportlib.import_module('plugins.' + 'mpi').run()\n"})
    found = discover([tmp_path])
    paths = [c.path for c in found.candidates]
    triage = triage_files(paths, [real_path(p) for p in paths], found.coverage, Project(files=paths, cwd=tmp_path), ())
    assert paths.index(tmp_path / "script.py") in triage.send


# ----- values that flow across modules (issue 10) -----------------------------------------


def test_returns_for_gives_what_starts_processes_in_the_callers_hands(tmp_path: Path) -> None:
    make(tmp_path, {
        "factory.py": """\
            import multiprocessing as mp

            def make():
                return mp.Process(target=print), [1, 2]

            def plain():
                return [1, 2]
            """,
        "script.py": "from factory import make, plain\n",
    })
    resolver = Project(files=[tmp_path / "script.py"], cwd=tmp_path).resolver_for(tmp_path / "script.py")
    assert resolver.returns_for("factory.make") == {("tuple", (frozenset({("process", "Process")}), frozenset()))}
    assert resolver.returns_for("factory.plain") == frozenset()
    assert resolver.returns_for("factory.missing") == frozenset()
    # a script that names no process API is analysed: make() counts as a spawner
    make(tmp_path, {"script.py": "from factory import make\nproc, _ = make()\nproc.start()\n"})
    assert codes(check(tmp_path, "script.py")) == [("GF001", 3, 1)]


def test_chain_for_call_reads_a_helper_that_cannot_start_processes_by_itself(tmp_path: Path) -> None:
    make(tmp_path, {
        "loops.py": """\
            def drain(items):
                for item in items:
                    pass

            def count(items):
                return len(items)
            """,
        "script.py": "",
    })
    resolver = Project(files=[tmp_path / "script.py"], cwd=tmp_path).resolver_for(tmp_path / "script.py")
    loader = frozenset({("loader", True)})
    assert resolver.chain_for("loops.drain") is None
    found = resolver.chain_for_call("loops.drain", ((loader,), ()))
    assert found is not None and [step.label for step in found.steps] == ["iterating items"]
    assert resolver.chain_for_call("loops.drain", ((), (("items", loader),))) is not None
    assert resolver.chain_for_call("loops.count", ((loader,), ())) is None


def test_a_factory_of_instances_whose_methods_start_processes_is_followed(tmp_path: Path) -> None:
    make(tmp_path, {
        "runners.py": """\
            from multiprocessing import Pool

            class Runner:
                def go(self):
                    with Pool(2) as pool:
                        return pool.map(abs, [1])

            class Config:
                def show(self):
                    return "config"

            def make_runner():
                return Runner()

            def make_config():
                return Config()
            """,
        "script.py": "from runners import make_runner\nrunner = make_runner()\nrunner.go()\n",
        "quiet.py": "from runners import make_config\nconfig = make_config()\nconfig.show()\n",
    })
    assert codes(check(tmp_path, "script.py")) == [("GF002", 3, 1)]
    quiet = check(tmp_path, "quiet.py")
    assert quiet.findings == () and quiet.status is Status.SKIPPED  # make_config() is no spawner


def test_super_method_of_a_base_class_in_another_module(tmp_path: Path) -> None:
    make(tmp_path, {
        "base.py": """\
            from multiprocessing import Pool

            class Base:
                def go(self):
                    with Pool(2) as pool:
                        return pool.map(abs, [1])
            """,
        "script.py": """\
            import base

            class Child(base.Base):
                def go(self):
                    return super().go()

            Child().go()
            """,
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 7, 1)]
    assert [step.label for step in result.findings[0].chain] == ["Child().go()", "super().go()", "Pool(...)"]


def test_a_lambda_bound_to_a_name_in_another_module_is_followed(tmp_path: Path) -> None:
    make(tmp_path, {
        "helpers.py": """\
            from multiprocessing import Pool


            def cube(n):
                return n ** 3


            def fan_out(values, workers=2):
                with Pool(workers) as pool:
                    return pool.map(cube, values)


            batch = lambda values: fan_out(values, workers=2)
            serial = lambda values: [cube(v) for v in values]
            """,
        "script.py": "from helpers import batch, serial\n\nprint(serial([1]))\nprint(batch([1, 2]))\n",
    })
    result = check(tmp_path, "script.py")
    assert codes(result) == [("GF002", 4, 7)]
    assert result.findings[0].message == (
        "calls batch(...) (helpers.py:13) → fan_out(...) (helpers.py:8) → Pool(...) (helpers.py:9)"
    )
