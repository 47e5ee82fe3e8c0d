"""fixer.plan: what stays at module level, what moves under the guard, and when to refuse."""

from __future__ import annotations

import ast
from textwrap import dedent

import pytest

from fixer.analyze import analyze_module
from fixer.model import Options, SourceResult, Status, Style
from fixer.plan import Declined, Plan, Target, detect_quote, make_plan
from fixer.pipeline import process_source


def run(src: str, options: Options = Options()) -> SourceResult:
    return process_source(dedent(src).encode(), "script.py", options)


def rewritten(src: str, options: Options = Options()) -> str:
    result = run(src, options)
    assert result.status is Status.FIXED, result.reason
    assert result.new_source is not None
    return result.new_source.decode()


def plan_for(src: str) -> Plan | Declined:
    text = dedent(src)
    tree = ast.parse(text)
    return make_plan(tree, analyze_module(tree, text), text)


def actions(src: str) -> str:
    """One letter per top-level statement: K keep, M move, G the existing guard."""
    plan = plan_for(src)
    assert isinstance(plan, Plan), plan
    return "".join(action.value[0].upper() for action in plan.actions)


# ----- exact rewrites -------------------------------------------------------------------------

EXACT = [
    pytest.param(
        '''\
        #!/usr/bin/env python
        """Square some numbers."""
        from __future__ import annotations

        import sys
        from typing import TYPE_CHECKING
        from multiprocessing import *

        if TYPE_CHECKING:
            from typing import List

        try:
            import ujson as json
        except ImportError:
            import json

        LIMIT = 10
        NAMES = ("a", "b")


        def square(x):
            return x * x


        class Thing:
            pass


        print("start")
        with Pool(2) as pool:
            print(pool.map(square, range(LIMIT)))
        ''',
        '''\
        #!/usr/bin/env python
        """Square some numbers."""
        from __future__ import annotations

        import sys
        from typing import TYPE_CHECKING
        from multiprocessing import *

        if TYPE_CHECKING:
            from typing import List

        try:
            import ujson as json
        except ImportError:
            import json

        LIMIT = 10
        NAMES = ("a", "b")


        def square(x):
            return x * x


        class Thing:
            pass


        def main():
            global pool
            print("start")
            with Pool(2) as pool:
                print(pool.map(square, range(LIMIT)))


        if __name__ == "__main__":
            main()
''',
        id="module-furniture-stays-work-moves",
    ),
    pytest.param(
        """\
        import argparse
        from multiprocessing import Pool

        parser = argparse.ArgumentParser()
        parser.add_argument("--n", type=int, default=3)
        args = parser.parse_args()
        scale = args.n * 2
        banner = "x" * 3


        def work(x):
            return x * scale


        with Pool(2) as pool:
            print(banner, pool.map(work, range(3)))
        """,
        """\
        import argparse
        from multiprocessing import Pool

        parser = argparse.ArgumentParser()
        parser.add_argument("--n", type=int, default=3)
        args = parser.parse_args()
        scale = args.n * 2
        banner = "x" * 3


        def work(x):
            return x * scale


        def main():
            global pool
            with Pool(2) as pool:
                print(banner, pool.map(work, range(3)))


        if __name__ == "__main__":
            main()
""",
        id="read-global-its-dependencies-and-mutators-stay",
    ),
    pytest.param(
        """\
        import multiprocessing as mp


        def load():
            return 2


        base = load()
        scale = base * 2
        unused = load()


        def work(x):
            return x * scale


        with mp.Pool() as pool:
            pool.map(work, [unused])
        """,
        """\
        import multiprocessing as mp


        def load():
            return 2


        base = load()
        scale = base * 2


        def work(x):
            return x * scale


        def main():
            global pool, unused
            unused = load()

            with mp.Pool() as pool:
                pool.map(work, [unused])


        if __name__ == "__main__":
            main()
""",
        id="computed-global-not-read-by-a-function-moves",
    ),
    pytest.param(
        """\
        import os
        import sys
        sys.path.insert(0, os.path.dirname(__file__))
        os.environ["MODE"] = "fast"
        import helper
        from multiprocessing import Pool

        with Pool() as pool:
            pool.map(helper.work, [1])
        """,
        """\
        import os
        import sys
        sys.path.insert(0, os.path.dirname(__file__))
        os.environ["MODE"] = "fast"
        import helper
        from multiprocessing import Pool


        def main():
            global pool
            with Pool() as pool:
                pool.map(helper.work, [1])


        if __name__ == "__main__":
            main()
""",
        id="sys-path-setup-above-last-import-stays",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        total = 0


        def report():
            return total


        with Pool(2) as pool:
            total += sum(pool.map(abs, [1, -2]))
        print(report())
        """,
        """\
        from multiprocessing import Pool

        total = 0


        def report():
            return total


        def main():
            global pool, total
            with Pool(2) as pool:
                total += sum(pool.map(abs, [1, -2]))
            print(report())


        if __name__ == "__main__":
            main()
""",
        id="global-for-augmented-assignment",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        cache = {}


        def get(key):
            return cache.get(key)


        with Pool(2) as pool:
            pool.map(abs, [1])
        del cache
        """,
        """\
        from multiprocessing import Pool

        cache = {}


        def get(key):
            return cache.get(key)


        def main():
            global cache, pool
            with Pool(2) as pool:
                pool.map(abs, [1])
            del cache


        if __name__ == "__main__":
            main()
""",
        id="global-for-del",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        item = None


        def show():
            print(item)


        with Pool(2) as pool:
            for item in pool.imap(abs, [1, -2]):
                show()
        """,
        """\
        from multiprocessing import Pool

        item = None


        def show():
            print(item)


        def main():
            global item, pool
            with Pool(2) as pool:
                for item in pool.imap(abs, [1, -2]):
                    show()


        if __name__ == "__main__":
            main()
""",
        id="global-for-loop-target",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        pool = None


        def busy():
            return pool is not None


        with Pool(2) as pool:
            print(busy())
        """,
        """\
        from multiprocessing import Pool

        pool = None


        def busy():
            return pool is not None


        def main():
            global pool
            with Pool(2) as pool:
                print(busy())


        if __name__ == "__main__":
            main()
        """,
        id="global-for-with-as",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        json = None


        def work(x):
            return json.dumps(x)


        with Pool(2) as pool:
            import json
            print(pool.map(work, [1]))
        """,
        """\
        from multiprocessing import Pool

        json = None


        def work(x):
            return json.dumps(x)


        def main():
            global json, pool
            with Pool(2) as pool:
                import json
                print(pool.map(work, [1]))


        if __name__ == "__main__":
            main()
""",
        id="global-for-import-in-moved-code",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        print("before")
        with Pool(2) as pool:
            pool.map(abs, [1])

        if __name__ == "__main__":
            print("guarded")

        print("after")
        """,
        """\
        from multiprocessing import Pool

        if __name__ == "__main__":
            print("before")
            with Pool(2) as pool:
                pool.map(abs, [1])
            print("guarded")

            print("after")
        """,
        id="existing-guard-before-first-after-last",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool


        def main():
            print("hello")


        main()
        with Pool(2) as pool:
            pool.map(abs, [1])
        """,
        """\
        from multiprocessing import Pool


        def main():
            print("hello")


        def _main():
            global pool
            main()
            with Pool(2) as pool:
                pool.map(abs, [1])


        if __name__ == "__main__":
            _main()
""",
        id="free-name-when-main-is-a-function",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        main = 1
        _main = 2

        with Pool(2) as pool:
            pool.map(abs, [main, _main])
        """,
        """\
        from multiprocessing import Pool

        main = 1
        _main = 2


        def main_():
            global pool
            with Pool(2) as pool:
                pool.map(abs, [main, _main])


        if __name__ == "__main__":
            main_()
""",
        id="free-name-when-main-and-_main-are-taken",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool


        def run():
            with Pool(2) as pool:
                pool.map(abs, [1])


        run()
        """,
        """\
        from multiprocessing import Pool


        def run():
            with Pool(2) as pool:
                pool.map(abs, [1])


        if __name__ == "__main__":
            run()
        """,
        id="single-bare-call-goes-under-the-guard",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        print('a', 'b')
        with Pool(2) as pool:
            pool.map(abs, [1])
        print("c")
        """,
        """\
        from multiprocessing import Pool


        def main():
            global pool
            print('a', 'b')
            with Pool(2) as pool:
                pool.map(abs, [1])
            print("c")


        if __name__ == '__main__':
            main()
""",
        id="guard-quote-follows-single-quote-majority",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        print('a', "b")
        with Pool(2) as pool:
            pool.map(abs, [1])
        """,
        """\
        from multiprocessing import Pool


        def main():
            global pool
            print('a', "b")
            with Pool(2) as pool:
                pool.map(abs, [1])


        if __name__ == "__main__":
            main()
""",
        id="guard-quote-double-on-a-tie",
    ),
]


@pytest.mark.parametrize(("src", "expected"), EXACT)
def test_rewrite(src: str, expected: str) -> None:
    assert rewritten(src) == dedent(expected)


def test_main_name_option() -> None:
    src = """\
        from multiprocessing import Pool

        with Pool(2) as pool:
            pool.map(abs, [1])
        """
    expected = """\
        from multiprocessing import Pool


        def run_all():
            global pool
            with Pool(2) as pool:
                pool.map(abs, [1])


        if __name__ == "__main__":
            run_all()
        """
    assert rewritten(src, Options(main_name="run_all")) == dedent(expected)


def test_main_name_option_that_is_taken_gets_a_free_name() -> None:
    src = """\
        from multiprocessing import Pool


        def work(x):
            return x


        with Pool(2) as pool:
            pool.map(work, [1])
        """
    result = run(src, Options(main_name="work"))
    assert result.status is Status.FIXED, result.reason
    assert result.new_source is not None
    text = result.new_source.decode()
    assert "def _work():\n" in text
    assert text.endswith('if __name__ == "__main__":\n    _work()\n')
    assert any("_work()" in note for note in result.notes)


INLINE = [
    pytest.param(
        """\
        from multiprocessing import Pool

        x = 3
        with Pool(2) as pool:
            pool.map(abs, [x])
        print('done')
        """,
        """\
        from multiprocessing import Pool

        x = 3

        if __name__ == '__main__':
            with Pool(2) as pool:
                pool.map(abs, [x])
            print('done')
        """,
        id="inline",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        with Pool(2) as pool:
            from os.path import *
            pool.map(abs, [1])
        """,
        """\
        from multiprocessing import Pool

        if __name__ == "__main__":
            with Pool(2) as pool:
                from os.path import *
                pool.map(abs, [1])
        """,
        id="inline-allows-star-import-in-moved-block",
    ),
]


@pytest.mark.parametrize(("src", "expected"), INLINE)
def test_inline_style(src: str, expected: str) -> None:
    assert rewritten(src, Options(style=Style.INLINE)) == dedent(expected)


def test_one_line_guard_receives_the_work() -> None:
    src = """\
        from multiprocessing import Pool


        def double(n):
            return 2 * n


        with Pool(2) as pool:
            doubled = pool.map(double, range(5))
        print("doubled:", doubled)

        if __name__ == "__main__": print("done")
        """
    result = run(src)
    assert result.status is Status.FIXED, result.reason
    assert result.new_source is not None
    tree = ast.parse(result.new_source)
    old = ast.parse(dedent(src))
    guard = tree.body[-1]
    assert isinstance(guard, ast.If)
    assert [ast.dump(s) for s in guard.body] == [ast.dump(s) for s in old.body[2:4] + old.body[4].body]
    assert [ast.dump(s) for s in tree.body[:-1]] == [ast.dump(s) for s in old.body[:2]]


# ----- what stays and what moves (plan actions) ------------------------------------------------

ACTIONS = [
    pytest.param(
        """\
        import multiprocessing as mp
        print("loading")
        import os
        with mp.Pool() as pool:
            pass
        """,
        "KKKM",
        id="statement-above-last-import-stays",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        name = input()
        import os
        with mp.Pool() as pool:
            pass
        """,
        "KMKM",
        id="input-above-last-import-moves",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        def load():
            return 2
        base = load()
        scale = base * 2
        unused = load()
        def work(x):
            return x * scale
        with mp.Pool() as pool:
            pool.map(work, [1])
        """,
        "KKKKMKM",
        id="read-global-and-dependency-stay-unread-moves",
    ),
    pytest.param(
        """\
        import argparse
        import multiprocessing as mp
        parser = argparse.ArgumentParser()
        parser.add_argument("--n")
        args = parser.parse_args()
        def work(x):
            return args.n
        with mp.Pool() as pool:
            pool.map(work, [1])
        """,
        "KKKKKKM",
        id="mutator-before-kept-reader-stays",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        try:
            import json
        except ImportError:
            if input("continue? ") != "y":
                raise
            json = None
        with mp.Pool() as pool:
            print(json.dumps(pool.map(abs, [1])))
        """,
        "KKM",
        id="input-in-import-fallback-keeps-the-import-block",
    ),
    pytest.param(
        """\
        import sys
        import multiprocessing as mp
        if len(sys.argv) > 1:
            label = "custom"
        if sys.version_info >= (3, 8):
            SEP = "/"
        with mp.Pool() as pool:
            print(label, SEP, pool.map(abs, [1]))
        """,
        "KKMKM",
        id="runtime-test-is-work-version-test-is-definitions",
    ),
    pytest.param(
        """\
        import platform
        import multiprocessing as mp
        if platform.system() == "Windows":
            import winreg
        with mp.Pool() as pool:
            print(pool.map(abs, [1]))
        """,
        "KKKM",
        id="runtime-test-around-an-import-stays",
    ),
    pytest.param(
        """\
        import os
        import multiprocessing as mp
        if os.environ.get("FAST"):
            mode = "fast"
        else:
            mode = "slow"
        def work(x):
            return mode
        with mp.Pool() as pool:
            print(pool.map(work, [1]))
        """,
        "KKKKM",
        id="conditional-binding-a-worker-reads-stays",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        print("start")
        with mp.Pool() as pool:
            pass
        if __name__ == "__main__":
            print("x")
        print("end")
        """,
        "KMMGM",
        id="existing-guard",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        from typing import TYPE_CHECKING
        try:
            import numpy as np
        except ImportError:
            np = None
        if TYPE_CHECKING:
            from os import PathLike
        mp.Pool()
        """,
        "KKKKM",
        id="definition-blocks-stay",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        LIMIT: int = 3
        counts: dict
        Pair = tuple
        mp.Pool()
        """,
        "KKKMM",
        id="constant-and-annotation-stay-alias-moves",
    ),
    # absl's registry is read in every child (by the script's functions and by libraries)
    pytest.param(
        """\
        import sys
        import multiprocessing as mp
        import absl.flags as F
        from absl.flags import FLAGS as OPTS
        F.DEFINE_integer("n", 2, "workers")
        F.mark_flag_as_required("n")
        rest = OPTS(sys.argv)
        print(rest)
        mp.Pool()
        """,
        "KKKKKKKMM",
        id="absl-flags-defined-and-parsed-stay",
    ),
    pytest.param(
        """\
        import sys
        import multiprocessing as mp
        import flags
        FLAGS = flags.FLAGS
        flags.DEFINE_integer("n", 2, "workers")
        FLAGS(sys.argv)
        mp.Pool()
        """,
        "KKKMMMM",
        id="a-module-of-the-project-named-flags-is-not-absl",
    ),
]


@pytest.mark.parametrize(("src", "expected"), ACTIONS)
def test_actions(src: str, expected: str) -> None:
    assert actions(src) == expected


def test_mutation_of_a_global_a_worker_reads_is_not_silently_moved() -> None:
    # Under spawn the child re-imports the script and sees LOOKUP == {}: KeyError in every
    # worker.  Either the loop stays at module level or the fix is marked unsafe.
    src = """\
        from multiprocessing import Pool

        LOOKUP = {}
        for name in ("a", "b"):
            LOOKUP[name] = name.upper()


        def work(key):
            return LOOKUP[key]


        with Pool(2) as pool:
            print(pool.map(work, ["a", "b"]))
        """
    result = run(src)
    assert result.status in (Status.FIXED, Status.UNSAFE), result.reason
    assert result.new_source is not None
    lines = result.new_source.decode().splitlines()
    kept = "    LOOKUP[name] = name.upper()" in lines and "for name in (\"a\", \"b\"):" in lines
    assert kept or result.status is Status.UNSAFE


# ----- unsafe and declined --------------------------------------------------------------------

UNSAFE = [
    *(
        pytest.param(
            f"""\
            from multiprocessing import Pool

            with Pool(2) as pool:
                pool.map(abs, [1])
            print({call})
            """,
            f"line 5: {name}() in the moved code: names bound there become local to main()",
            id=f"{name}-without-namespaces",
        )
        for name, call in [
            ("locals", "locals()"),
            ("globals", "globals()"),
            ("vars", "vars()"),
            ("exec", "exec('y = 1')"),
            ("eval", "eval('1')"),
        ]
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        pool = Pool(2)


        def work(x):
            return pool


        print(pool.map(work, [1]))
        """,
        "function work() reads 'pool', which line 3 creates and which must move because it starts processes",
        id="function-reads-name-bound-by-process-start",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool


        def work(x):
            return json.dumps(x)


        with Pool(2) as pool:
            import json
            print(pool.map(work, [1]))
        """,
        "function work() reads 'json', which line 8 creates and which must move because it starts processes",
        id="function-reads-name-imported-in-moved-code",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        factor = int(input())


        def work(x):
            return x * factor


        with Pool(2) as pool:
            print(pool.map(work, [1]))
        """,
        "function work() reads 'factor', which line 3 creates and which must move because it reads input()",
        id="function-reads-input",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool


        class Holder:
            pool = Pool(2)
        """,
        "the process start at line 5 sits in a class body, which runs at import time",
        id="class-body-start",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool


        def register(x):
            return lambda f: f


        @register(Pool(2))
        def f():
            pass
        """,
        "the process start at line 8 sits in a decorator or default argument",
        id="decorator-start",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool


        def f(p=Pool(2)):
            pass
        """,
        "the process start at line 4 sits in a decorator or default argument",
        id="default-argument-start",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        factor = 1


        def work(x):
            return x * factor


        with Pool(2) as pool:
            print(pool.map(work, range(4)))
        factor = 10
        """,
        "line 12 rebinds 'factor', which function work() reads, after work has started: "
        "spawn children will only see its first value",
        id="rebinding-after-work-of-a-name-a-worker-reads",
    ),
]


@pytest.mark.parametrize(("src", "reason"), UNSAFE)
def test_unsafe(src: str, reason: str) -> None:
    result = run(src)
    assert result.status is Status.UNSAFE
    assert reason in result.reason
    assert result.new_source is not None


def test_exec_eval_vars_with_namespaces_are_safe() -> None:
    src = """\
        from multiprocessing import Pool

        with Pool(2) as pool:
            pool.map(abs, [1])
        exec("y = 1", {})
        print(vars(pool))
        print(eval("1", {}, {}))
        """
    result = run(src)
    assert result.status is Status.FIXED, result.reason
    assert result.reason == ""


DECLINED = [
    pytest.param(
        """\
        from multiprocessing import Pool

        if __name__ == "__main__":
            print(1)

        with Pool(2) as pool:
            pool.map(abs, [1])

        if __name__ == "__main__":
            print(2)
        """,
        'the file has several `if __name__ == "__main__":` guards (lines 3, 9)',
        id="two-guards",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        if __name__ == "__main__":
            print(1)
        else:
            Pool(2)
        """,
        'the `if __name__ == "__main__":` guard at line 3 has an elif/else branch that starts processes',
        id="guard-else-starts",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        if __name__ == "__main__":
            print(1)
        elif True:
            with Pool(2) as pool:
                pass
        """,
        'the `if __name__ == "__main__":` guard at line 3 has an elif/else branch that starts processes',
        id="guard-elif-starts",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool
        import os; pool = Pool(2)
        """,
        "a line holds several statements separated by ';' of which some must stay",
        id="semicolon-line-mixes-kept-and-moved",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        with Pool(2) as pool:
            from os.path import *
            pool.map(abs, [1])
        """,
        "line 4: `from os.path import *` cannot move into a function; use --style inline",
        id="star-import-in-moved-block",
    ),
    pytest.param(
        """\
        import sys
        from multiprocessing import Pool

        with Pool(2) as pool:
            if sys.argv[1:]:
                def work(x):
                    return x
            else:
                def work(x):
                    return -x
            print(pool.map(work, [1]))
        """,
        "'work' is bound more than once at module level",
        id="conditional-worker-definitions-cannot-be-hoisted",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        with Pool(2) as pool:
            offset = 3

            def work(x, offset=offset):
                return x + offset
            print(pool.map(work, [1]))
        """,
        "it reads 'offset', which the moved code binds",
        id="worker-default-reads-a-moved-name",
    ),
    pytest.param(
        """\
        import functools
        from multiprocessing import Pool

        for size in (1, 2):
            @functools.lru_cache(maxsize=size)
            def work(x):
                return x
            with Pool(2) as pool:
                print(pool.map(work, [1]))
        """,
        "it reads 'size', which the moved code binds",
        id="worker-decorator-reads-the-loop-variable",
    ),
]


@pytest.mark.parametrize(("src", "reason"), DECLINED)
def test_declined(src: str, reason: str) -> None:
    result = run(src)
    assert result.status is Status.DECLINED
    assert reason in result.reason
    assert result.new_source is None
    assert result.findings


def test_make_plan_targets() -> None:
    guarded = plan_for(
        """\
        import multiprocessing as mp
        mp.Pool()
        if __name__ == "__main__":
            pass
        """
    )
    assert isinstance(guarded, Plan)
    assert (guarded.target, guarded.guard_index) == (Target.EXISTING_GUARD, 2)
    new_main = plan_for(
        """\
        import multiprocessing as mp
        pool = mp.Pool()
        pool.close()
        """
    )
    assert isinstance(new_main, Plan)
    assert (new_main.target, new_main.main_name, new_main.guard_index) == (Target.NEW_MAIN, "main", None)


@pytest.mark.parametrize(
    ("src", "quote"),
    [
        pytest.param("x = 'a'\ny = 'b'\nz = \"c\"\n", "'", id="single-majority"),
        pytest.param("x = 'a'\nz = \"c\"\n", '"', id="tie-is-double"),
        pytest.param("x = '''doc'''\ny = '''doc'''\nz = \"c\"\n", '"', id="triple-quotes-ignored"),
        pytest.param("x = r'a' + b'b'\nz = \"c\"\n", "'", id="prefixes"),
        pytest.param("x = 1\n", '"', id="no-strings"),
        # Found by fuzzing (issue 6): Python 3.12+'s tokenizer raised UnicodeDecodeError here.
        pytest.param("x = 'a'\r\ny = 'b'\n#\r\xc0", "'", id="lone-cr-before-non-ascii"),
    ],
)
def test_detect_quote(src: str, quote: str) -> None:
    assert detect_quote(src) == quote


def test_worker_defined_in_a_block_is_hoisted_and_a_called_helper_is_not() -> None:
    src = """\
        from multiprocessing import Pool

        for n in (1, 2):
            def work(x):
                return x * 2

            def show(values):
                print(n, values)

            with Pool(2) as pool:
                show(pool.map(work, [n]))
        """
    plan = plan_for(src)
    assert isinstance(plan, Plan)
    assert plan.hoisted == ((1, "work"),)  # show() is only called: it may stay local
    assert "work" not in plan.global_names and "show" in plan.global_names
    text = rewritten(src)
    assert text.startswith("from multiprocessing import Pool\n\n\ndef work(x):\n    return x * 2\n\n\ndef main():\n")
    assert "\n        def show(values):\n" in text


# ----- partial fallback: guard only from the first process start onward --------------------

PARTIAL_UNSAFE = [
    pytest.param(
        """\
        from multiprocessing import Pool

        pool = Pool(2)
        results = pool.map(abs, [1])


        def total(x):
            return sum(results) + x


        print(pool.map(total, [1]))
        """,
        "function total() reads 'results', which line 4 binds after the first process start",
        id="kept-statement-needs-moved-one",
    ),
    pytest.param(
        """\
        from multiprocessing import Manager, Process

        m = Manager()
        q = m.Queue()


        def consumer(x):
            q.put(x)


        p = Process(target=consumer, args=(1,))
        p.start()
        p.join()
        print(q.get())
        """,
        "function consumer() reads 'q', which line 4 binds after the first process start",
        id="manager-queue-read-by-a-worker-needs-the-manager",
    ),
]


@pytest.mark.parametrize(("src", "reason"), PARTIAL_UNSAFE)
def test_partial_fallback_offered_as_unsafe_instead_of_nothing(src: str, reason: str) -> None:
    # The whole-script fix would fail at import (a kept line needs a moved one); the partial
    # one does not, and says what it breaks.
    result = run(src)
    assert result.status is Status.UNSAFE
    assert reason in result.reason
    assert any("guards only from line" in note for note in result.notes)


def test_partial_fallback_is_safe_when_nothing_above_the_first_start_needs_moving() -> None:
    src = """\
        from multiprocessing import Pool
        from json import dumps as fmt

        with Pool(2) as pool:
            print(fmt(pool.map(abs, [1])))
        from pprint import pformat as fmt
        print(fmt([1]))
        """
    result = run(src)
    assert result.status is Status.FIXED, result.reason
    assert result.notes == (
        "the whole-script fix is not possible (line 6 must stay at module level and would then run before "
        "line 4, which uses 'fmt'); this fix guards only from line 4, the first process start, onward",
    )
    assert "    from pprint import pformat as fmt\n" in rewritten(src)


def test_hoisting_with_inline_style_and_next_to_an_existing_guard() -> None:
    src = """\
        from multiprocessing import Pool

        for n in (1, 2):
            def work(x):
                return x + 1
            with Pool(2) as pool:
                print(pool.map(work, [n]))
        """
    inline = rewritten(src, Options(style=Style.INLINE))
    assert inline.endswith(
        "def work(x):\n    return x + 1\n\n\nif __name__ == \"__main__\":\n    for n in (1, 2):\n"
        "        with Pool(2) as pool:\n            print(pool.map(work, [n]))\n"
    )
    guarded = rewritten(src + '\n        if __name__ == "__main__":\n            print("guarded")\n')
    assert guarded.endswith(
        "def work(x):\n    return x + 1\n\n\nif __name__ == \"__main__\":\n    for n in (1, 2):\n"
        "        with Pool(2) as pool:\n            print(pool.map(work, [n]))\n    print(\"guarded\")\n"
    )
    late = run(
        src
        + '\n        if __name__ == "__main__":\n            print("guarded")\n\n        def later():\n            pass\n'
    )
    assert late.status is Status.FIXED  # (later() is only read when work() is called)


def test_annotated_names_stay_local_unless_code_outside_main_uses_them() -> None:
    # `global total` with `total: int = ...` in one function is a SyntaxError.
    src = """\
        from multiprocessing import Pool

        with Pool(2) as pool:
            total: int = sum(pool.map(abs, [1, -2]))
        print(total)
        """
    text = rewritten(src)
    assert "    global pool\n" in text and "total: int" in text
    compile(text, "<test>", "exec")
    used = run(
        """\
        from multiprocessing import Pool


        def show():
            print(total)


        with Pool(2) as pool:
            total: int = sum(pool.map(abs, [1, -2]))
        show()
        """
    )
    assert used.status is Status.DECLINED
    assert "line 9 annotates 'total', which must stay a module global" in used.reason


def test_unjoined_process_makes_the_fix_unsafe_only_when_handed_what_the_work_creates() -> None:
    handed = run(
        """\
        from multiprocessing import Process, Queue


        def consumer(q):
            print(q.get())


        q = Queue()
        Process(target=consumer, args=(q,)).start()
        q.put(1)
        """
    )
    assert handed.status is Status.UNSAFE
    assert "processes started at line 9 are never joined and the work creates 'q' (Queue, line 8)" in handed.reason
    not_handed = run(
        """\
        from multiprocessing import Lock, Process


        def f():
            print("child")


        lock = Lock()
        with lock:
            Process(target=f).start()
        """
    )
    assert not_handed.status is Status.FIXED, not_handed.reason
