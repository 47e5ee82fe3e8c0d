"""fixer.analyze: which module-level calls are findings, exactly where, and through which chain."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from textwrap import dedent

import pytest

from fixer.analyze import ExternalChain, analyze_module
from fixer.model import ChainStep
from fixer.model import Status
from fixer.names import child_nodes, walk
from fixer.pipeline import process_source


def positions(src: str) -> list[tuple[str, int, int]]:
    """(code, line, col) of every finding in ``src``, in report order."""
    text = dedent(src)
    return [(f.code.value, f.line, f.col) for f in analyze_module(ast.parse(text), text).findings]


# ----- direct starts (GF001) and start-method set-up (GF003) ------------------------------

DIRECT = [
    # import forms
    pytest.param(
        """\
        import multiprocessing as mp
        pool = mp.Pool(2)
        """,
        [("GF001", 2, 8)],
        id="import-as-mp",
    ),
    pytest.param(
        """\
        import multiprocessing.pool
        pool = multiprocessing.pool.Pool(2)
        """,
        [("GF001", 2, 8)],
        id="import-dotted-submodule",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool as P
        with P(2) as pool:
            pool.map(abs, [1])
        """,
        [("GF001", 2, 6)],
        id="from-import-as",
    ),
    pytest.param(
        """\
        from concurrent import futures
        executor = futures.ProcessPoolExecutor()
        """,
        [("GF001", 2, 12)],
        id="from-concurrent-import-futures",
    ),
    pytest.param(
        """\
        import concurrent.futures as cf
        with cf.ProcessPoolExecutor() as executor:
            executor.submit(abs, 1)
        """,
        [("GF001", 2, 6)],
        id="import-concurrent-futures-as",
    ),
    pytest.param(
        """\
        from concurrent.futures import ProcessPoolExecutor
        executor = ProcessPoolExecutor(max_workers=2)
        """,
        [("GF001", 2, 12)],
        id="from-concurrent-futures-import-executor",
    ),
    pytest.param(
        """\
        from multiprocessing import *
        pool = Pool()
        manager = Manager()
        p = Process(target=print)
        p.start()
        freeze_support()
        """,
        [("GF001", 2, 8), ("GF001", 3, 11), ("GF001", 5, 1), ("GF003", 6, 1)],
        id="star-import",
    ),
    # context objects
    pytest.param(
        """\
        import multiprocessing as mp
        ctx = mp.get_context()
        pool = ctx.Pool()
        """,
        [("GF001", 3, 8)],
        id="context-variable-pool",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        pool = mp.get_context("spawn").Pool(2)
        """,
        [("GF001", 2, 8)],
        id="context-chained-pool",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        ctx = mp.get_context("forkserver")
        ctx.Process(target=print).start()
        """,
        [("GF001", 3, 1)],
        id="context-process-start",
    ),
    # Process(...).start() forms
    pytest.param(
        """\
        from multiprocessing import Process
        Process(target=print).start()
        """,
        [("GF001", 2, 1)],
        id="process-start-direct",
    ),
    pytest.param(
        """\
        from multiprocessing import Process
        p = Process(target=print)
        p.start()
        p.join()
        """,
        [("GF001", 3, 1)],
        id="process-start-via-variable",
    ),
    pytest.param(
        """\
        from multiprocessing import Process
        procs = [Process(target=print, args=(i,)) for i in range(3)]
        for p in procs:
            p.start()
        """,
        [("GF001", 4, 5)],
        id="process-list-comprehension-then-loop",
    ),
    pytest.param(
        """\
        import multiprocessing
        procs = []
        for i in range(3):
            procs.append(multiprocessing.Process(target=print, args=(i,)))
        for p in procs:
            p.start()
        """,
        [("GF001", 6, 5)],
        id="process-append-then-loop",
    ),
    pytest.param(
        """\
        import multiprocessing
        class Worker(multiprocessing.Process):
            def run(self):
                print("working")
        w = Worker()
        w.start()
        """,
        [("GF001", 6, 1)],
        id="process-subclass",
    ),
    pytest.param(
        """\
        from multiprocessing import Process
        class Base(Process):
            pass
        class Worker(Base):
            pass
        Worker().start()
        """,
        [("GF001", 6, 1)],
        id="process-subclass-of-local-subclass",
    ),
    # managers
    pytest.param(
        """\
        from multiprocessing.managers import SyncManager
        manager = SyncManager()
        manager.start()
        """,
        [("GF001", 3, 1)],
        id="sync-manager-start",
    ),
    pytest.param(
        """\
        import multiprocessing.managers
        manager = multiprocessing.managers.BaseManager(address=("", 50000))
        manager.start()
        """,
        [("GF001", 3, 1)],
        id="base-manager-start",
    ),
    pytest.param(
        """\
        import multiprocessing
        with multiprocessing.Manager() as manager:
            shared = manager.dict()
        """,
        [("GF001", 2, 6)],
        id="manager-call",
    ),
    # GF003
    pytest.param(
        """\
        import multiprocessing as mp
        mp.set_start_method("spawn")
        """,
        [("GF003", 2, 1)],
        id="set-start-method",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        mp.set_forkserver_preload(["json"])
        """,
        [("GF003", 2, 1)],
        id="set-forkserver-preload",
    ),
    pytest.param(
        """\
        from multiprocessing import freeze_support
        freeze_support()
        """,
        [("GF003", 2, 1)],
        id="freeze-support",
    ),
    # nesting in top-level compound statements
    pytest.param(
        """\
        import multiprocessing as mp
        with open(__file__) as handle:
            mp.Pool()
        """,
        [("GF001", 3, 5)],
        id="nested-in-with",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        for size in (1, 2):
            pool = mp.Pool(size)
        """,
        [("GF001", 3, 12)],
        id="nested-in-for",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        while True:
            mp.Pool()
            break
        """,
        [("GF001", 3, 5)],
        id="nested-in-while",
    ),
    pytest.param(
        """\
        import sys
        import multiprocessing as mp
        if len(sys.argv) > 1:
            mp.Pool(1)
        elif sys.argv:
            mp.Pool(2)
        else:
            mp.Pool(3)
        """,
        [("GF001", 4, 5), ("GF001", 6, 5), ("GF001", 8, 5)],
        id="nested-in-if-elif-else",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        try:
            mp.Pool(1)
        except OSError:
            mp.Pool(2)
        else:
            mp.Pool(3)
        finally:
            mp.Pool(4)
        """,
        [("GF001", 3, 5), ("GF001", 5, 5), ("GF001", 7, 5), ("GF001", 9, 5)],
        id="nested-in-try-except-else-finally",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        if __name__ == "__main__":
            pass
        else:
            mp.Pool()
        """,
        [("GF001", 5, 5)],
        id="else-branch-of-guard",
    ),
    # values that flow (issue 10): factories, unpacking, iterating wrappers, **kwargs
    pytest.param(
        """\
        from multiprocessing import Process
        def make():
            return Process(target=print)
        p = make()
        p.start()
        """,
        [("GF001", 5, 1)],
        id="factory-returns-process",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        class Worker(mp.Process):
            @classmethod
            def create(cls):
                return cls()
            @classmethod
            def bare(cls):
                obj = cls.__new__(cls)
                return obj
        w = Worker.create()
        w.start()
        Worker.bare().start()
        """,
        [("GF001", 11, 1), ("GF001", 12, 1)],
        id="classmethod-returns-cls-and-new",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader
        def provider():
            data_set = [1, 2]
            return data_set, DataLoader(data_set, num_workers=2)
        data_set, loader = provider()
        for batch in loader:
            pass
        """,
        [("GF001", 6, 14)],
        id="loader-returned-in-a-tuple-and-unpacked",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader
        from tqdm import tqdm
        loader = DataLoader([1], num_workers=2)
        for batch in tqdm(loader):
            pass
        for i, batch in enumerate(tqdm(loader)):
            pass
        for name, batch in zip("ab", loader):
            pass
        batches = iter(loader)
        """,
        [("GF001", 4, 14), ("GF001", 6, 27), ("GF001", 8, 30), ("GF001", 10, 16)],
        id="tqdm-enumerate-zip-iter-over-loader",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader
        cuda = True
        kwargs = {"num_workers": 1 if cuda else 0, "pin_memory": True}
        loader = DataLoader([1], batch_size=4, **kwargs)
        for batch in loader:
            pass
        extra = dict(shuffle=True)
        extra["num_workers"] = 2
        for batch in DataLoader([1], **extra):
            pass
        """,
        [("GF001", 5, 14), ("GF001", 9, 14)],
        id="loader-kwargs-literal-dict-and-conditional",
    ),
    pytest.param(
        """\
        import importlib
        mp = importlib.import_module("multiprocessing")
        mp.Pool()
        """,
        [("GF001", 3, 1)],
        id="importlib-import-module-literal",
    ),
    # look-alike guards are not guards
    pytest.param(
        """\
        import multiprocessing as mp
        if __name__ in ("__main__", "__mp_main__"):
            mp.Pool()
        """,
        [("GF001", 3, 5)],
        id="lookalike-guard-in-tuple",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        # if __name__ == "__main__":
        mp.Pool()
        """,
        [("GF001", 3, 1)],
        id="guard-only-in-comment",
    ),
]


@pytest.mark.parametrize(("src", "expected"), DIRECT)
def test_direct_findings(src: str, expected: list) -> None:
    assert positions(src) == expected


# ----- starts reached through calls (GF002) -----------------------------------------------

VIA = [
    pytest.param(
        """\
        from multiprocessing import Pool

        def work():
            with Pool(2) as pool:
                return pool.map(abs, [1])

        def run():
            return work()

        run()
        """,
        (10, 1, "calls run() → work() → Pool(...) at line 4", (("run()", 10), ("work()", 8), ("Pool(...)", 4))),
        id="function-function-pool",
    ),
    pytest.param(
        """\
        from multiprocessing import Process

        class Runner:
            def __init__(self):
                self.proc = Process(target=print)
                self.proc.start()

        runner = Runner()
        """,
        (8, 10, "calls Runner() → self.proc.start() at line 6", (("Runner()", 8), ("self.proc.start()", 6))),
        id="class-init",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        class Runner:
            def go(self):
                with Pool() as pool:
                    pool.map(abs, [1])

        runner = Runner()
        runner.go()
        """,
        (9, 1, "calls runner.go() → Pool() at line 5", (("runner.go()", 9), ("Pool()", 5))),
        id="method-on-module-level-instance",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        class Runner:
            def go(self):
                self.inner()

            def inner(self):
                Pool()

        Runner().go()
        """,
        (
            10,
            1,
            "calls Runner().go() → self.inner() → Pool() at line 8",
            (("Runner().go()", 10), ("self.inner()", 5), ("Pool()", 8)),
        ),
        id="self-method-chain",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        class Base:
            def go(self):
                Pool()

        class Child(Base):
            pass

        child = Child()
        child.go()
        """,
        (11, 1, "calls child.go() → Pool() at line 5", (("child.go()", 11), ("Pool()", 5))),
        id="method-inherited-from-local-base",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        def countdown(n):
            if n:
                return countdown(n - 1)
            return Pool()

        countdown(3)
        """,
        # countdown(3) takes the ``if n:`` branch (the literal decides it), whose call with
        # n - 1 (no longer a literal) may reach the Pool
        (8, 1, "calls countdown(...) → countdown(...) → Pool() at line 6",
         (("countdown(...)", 8), ("countdown(...)", 5), ("Pool()", 6))),
        id="recursion-that-starts",
    ),
    pytest.param(
        """\
        import multiprocessing as mp

        def configure():
            mp.set_start_method("spawn")
            return mp.Pool()

        pool = configure()
        """,
        (7, 8, "calls configure() → mp.Pool() at line 5", (("configure()", 7), ("mp.Pool()", 5))),
        id="setup-inside-function-is-skipped-for-the-start",
    ),
    # values that flow (issue 10)
    pytest.param(
        """\
        from multiprocessing import Process

        class Runner:
            def __init__(self):
                self.process = Process(target=print)

            def run(self):
                self.process.start()

        runner = Runner()
        runner.run()
        """,
        (11, 1, "calls runner.run() → self.process.start() at line 8", (("runner.run()", 11), ("self.process.start()", 8))),
        id="self-attribute-set-in-init-started-in-run",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader

        class Trainer:
            def __init__(self, data_set):
                self.loader = DataLoader(data_set, num_workers=4)

            def train(self):
                for batch in self.loader:
                    pass

        Trainer([1]).train()
        """,
        (11, 1, "calls Trainer([1]).train() → iterating self.loader at line 8",
         (("Trainer([1]).train()", 11), ("iterating self.loader", 8))),
        id="loader-kept-on-self-iterated-elsewhere",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        def run_local(n):
            return n

        def run_mpi(n):
            with Pool(2) as pool:
                return pool.map(abs, range(n))

        funcs = {"local": run_local, "mpi": run_mpi}
        funcs[kind](3)
        """,
        (11, 1, "calls funcs[kind](...) → Pool(...) at line 7",
         (("funcs[kind](...)", 11), ("Pool(...)", 7))),
        id="dict-of-callables-subscript-callee",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        def quiet():
            return 1

        def loud():
            Pool()

        handlers = (quiet, loud)
        handlers[1]()
        """,
        (10, 1, "calls handlers[1]() → Pool() at line 7",
         (("handlers[1]()", 10), ("Pool()", 7))),
        id="tuple-of-callables-literal-index",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        def quiet():
            return 1

        def loud():
            Pool()

        for name, handler in {"q": quiet, "l": loud}.items():
            handler()
        """,
        (10, 5, "calls handler() → Pool() at line 7",
         (("handler()", 10), ("Pool()", 7))),
        id="dict-items-unpacked-in-a-loop",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader

        def train_epoch(loader, model):
            for batch in loader:
                model(batch)

        train_loader = DataLoader([1], num_workers=2)
        train_epoch(train_loader, print)
        """,
        (8, 1, "calls train_epoch(...) → iterating loader at line 4",
         (("train_epoch(...)", 8), ("iterating loader", 4))),
        id="loader-passed-to-a-function-that-iterates-it",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader

        def train(loader):
            for batch in loader:
                pass

        loaders = []
        loaders.append(DataLoader([1], num_workers=2))
        train(loaders[0])
        """,
        (9, 1, "calls train(...) → iterating loader at line 4",
         (("train(...)", 9), ("iterating loader", 4))),
        id="loader-kept-in-a-list-then-passed",
    ),
    pytest.param(
        """\
        import functools
        from multiprocessing import Pool

        def run(n):
            with Pool(n) as pool:
                pool.map(abs, [1])

        go = functools.partial(run, 2)
        go()
        """,
        (9, 1, "calls go() → Pool(...) at line 5",
         (("go()", 9), ("Pool(...)", 5))),
        id="functools-partial",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        def run():
            Pool()

        def launch(func):
            func()

        launch(run)
        """,
        (9, 1, "calls launch(...) → func() → Pool() at line 4",
         (("launch(...)", 9), ("func()", 7), ("Pool()", 4))),
        id="spawning-function-passed-as-an-argument",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        class Base:
            def go(self):
                Pool()

        class Child(Base):
            def go(self):
                super().go()

        Child().go()
        """,
        (11, 1, "calls Child().go() → super().go() → Pool() at line 5",
         (("Child().go()", 11), ("super().go()", 9), ("Pool()", 5))),
        id="super-method",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        def helper(runner):
            runner.work()

        class Runner:
            def work(self):
                Pool()

            def go(self):
                helper(self)

        Runner().go()
        """,
        (13, 1, "calls Runner().go() → helper(...) → runner.work() → Pool() at line 8",
         (("Runner().go()", 13), ("helper(...)", 11), ("runner.work()", 4), ("Pool()", 8))),
        id="method-called-on-a-parameter-holding-self",
    ),
    pytest.param(
        """\
        from multiprocessing import Process

        class Farm:
            def __init__(self, _stop_at_defaults=False):
                self.procs = [Process(target=print) for _ in range(2)]
                if _stop_at_defaults:
                    return
                for proc in self.procs:
                    proc.start()

        farm = Farm(_stop_at_defaults=False)
        """,
        (11, 8, "calls Farm(...) → proc.start() at line 9", (("Farm(...)", 11), ("proc.start()", 9))),
        id="literal-argument-that-does-not-return-early",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        def run_mpi():
            Pool()

        RUNNERS = {"mpi": run_mpi}

        def pick(kind):
            RUNNERS["echo"] = print
            return RUNNERS[kind]()

        pick("mpi")
        """,
        (12, 1, "calls pick(...) → RUNNERS[kind]() → Pool() at line 4",
         (("pick(...)", 12), ("RUNNERS[kind]()", 10), ("Pool()", 4))),
        id="function-filling-a-module-dict-still-sees-its-values",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        def run_local():
            return 1

        def run_pool():
            Pool()

        funcs = {"local": run_local}
        funcs.get(kind, run_pool)()
        """,
        (10, 1, "calls funcs.get(kind, run_pool)() → Pool() at line 7",
         (("funcs.get(kind, run_pool)()", 10), ("Pool()", 7))),
        id="dict-get-with-a-spawning-default",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader

        class Trainer:
            def __init__(self, model, train_loader):
                self.model = model
                self.train_loader = train_loader

            def fit(self):
                for batch in self.train_loader:
                    self.model(batch)

        trainer = Trainer(print, DataLoader([1], num_workers=4))
        trainer.fit()
        Trainer(print, DataLoader([1])).fit()
        """,
        (13, 1, "calls trainer.fit() → iterating self.train_loader at line 9",
         (("trainer.fit()", 13), ("iterating self.train_loader", 9))),
        id="loader-given-to-the-constructor-iterated-in-a-method",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        def run():
            Pool()

        class Job:
            def __init__(self, task):
                self.task = task

            def go(self):
                self.task()

        Job(print).go()
        Job(run).go()
        """,
        (14, 1, "calls Job(run).go() → self.task() → Pool() at line 4",
         (("Job(run).go()", 14), ("self.task()", 11), ("Pool()", 4))),
        id="spawning-function-kept-by-the-constructor-called-in-a-method",
    ),
    # the shortest chain, whatever the order of the calls (issue 11)
    pytest.param(
        """\
        import multiprocessing as mp

        def download():
            return fetch()

        def fetch():
            with mp.Pool() as pool:
                return pool.map(abs, [1])

        def main():
            download()
            with mp.Pool(2) as pool:
                pool.map(abs, [2])

        main()
        """,
        (15, 1, "calls main() → mp.Pool(...) at line 12", (("main()", 15), ("mp.Pool(...)", 12))),
        id="shortest-chain-beats-the-first",
    ),
    # a for loop runs the iterator protocol of what it iterates
    pytest.param(
        """\
        from multiprocessing import Pool

        class Batches:
            def __iter__(self):
                with Pool(2) as pool:
                    yield from pool.imap(abs, [-1, -2])

        for item in Batches():
            print(item)
        """,
        (8, 13, "calls Batches().__iter__() → Pool(...) at line 5",
         (("Batches().__iter__()", 8), ("Pool(...)", 5))),
        id="for-loop-over-an-instance-whose-iter-starts-a-pool",
    ),
    # a with statement runs the __enter__ of its context manager
    pytest.param(
        """\
        from multiprocessing import Process

        class Feed:
            def __enter__(self):
                self.proc = Process(target=print)
                self.proc.start()
                return self

            def __exit__(self, *exc):
                self.proc.join()

        with Feed() as feed:
            print(feed)
        """,
        (12, 6, "calls Feed().__enter__() → self.proc.start() at line 6",
         (("Feed().__enter__()", 12), ("self.proc.start()", 6))),
        id="with-an-instance-whose-enter-starts-a-process",
    ),
    pytest.param(
        """\
        from concurrent.futures import ProcessPoolExecutor

        class Session:
            async def __aenter__(self):
                self.pool = ProcessPoolExecutor(2)
                self.pool.submit(abs, -1)
                return self

            async def __aexit__(self, *exc):
                self.pool.shutdown()

        async def run():
            pass

        feed = Session()
        print(feed)

        async def go():
            async with feed:
                await run()

        import asyncio
        asyncio.run(go())
        """,
        (23, 13, "calls go() → feed.__aenter__() → ProcessPoolExecutor(...) at line 5",
         (("go()", 23), ("feed.__aenter__()", 19), ("ProcessPoolExecutor(...)", 5))),
        id="async-with-runs-aenter-reached-through-a-coroutine",
    ),
    # standard-library template methods run the overrides of a subclass
    pytest.param(
        """\
        import unittest
        from multiprocessing import Pool

        class Suite(unittest.TestProgram):
            def runTests(self):
                with Pool(2) as pool:
                    pool.map(abs, [-1])

        Suite(module=None, argv=["x"], exit=False)
        """,
        (9, 1, "calls Suite(...) → runTests() → Pool(...) at line 6",
         (("Suite(...)", 9), ("runTests()", 5), ("Pool(...)", 6))),
        id="test-program-subclass-whose-inherited-init-runs-its-run-tests",
    ),
    pytest.param(
        """\
        import unittest
        from concurrent.futures import ProcessPoolExecutor

        class Runner(unittest.TextTestRunner):
            def each(self, result):
                with ProcessPoolExecutor(2) as ex:
                    list(ex.map(abs, [-1]))

            def run(self, test):
                return super().run(self.each)

        Runner().run(unittest.TestSuite())
        """,
        (12, 1, "calls Runner().run(...) → super().run(...) → each() → ProcessPoolExecutor(...) at line 6",
         (("Runner().run(...)", 12), ("super().run(...)", 10), ("each()", 5), ("ProcessPoolExecutor(...)", 6))),
        id="text-test-runner-run-calls-the-callable-it-is-given",
    ),
    # running test cases runs their test methods
    pytest.param(
        """\
        import unittest
        from multiprocessing import Process

        class Check(unittest.TestCase):
            def test_child(self):
                child = Process(target=print)
                child.start()

        unittest.main()
        """,
        (9, 1, "calls unittest.main() → Check.test_child() → child.start() at line 7",
         (("unittest.main()", 9), ("Check.test_child()", 5), ("child.start()", 7))),
        id="unittest-main-runs-the-test-methods-of-the-module",
    ),
    pytest.param(
        """\
        import unittest
        from multiprocessing import Pool

        class Check(unittest.case.TestCase):
            def setUp(self):
                self.pool = Pool(2)

            def test_nothing(self):
                pass

        suite = unittest.TestLoader().loadTestsFromTestCase(Check)
        unittest.TextTestRunner().run(suite)
        """,
        (12, 1, "calls unittest.TextTestRunner().run(...) → setUp() → Pool(...) at line 6",
         (("unittest.TextTestRunner().run(...)", 12), ("setUp()", 5), ("Pool(...)", 6))),
        id="a-runner-runs-a-loaded-suite-whose-set-up-starts-a-pool",
    ),
    pytest.param(
        """\
        import unittest
        from concurrent.futures import ProcessPoolExecutor

        class Check(unittest.TestCase):
            def test_pool(self):
                with ProcessPoolExecutor(2) as ex:
                    list(ex.map(abs, [-1]))

        suite = unittest.TestSuite()
        suite.addTest(Check("test_pool"))
        runner = unittest.TextTestRunner(verbosity=2)
        runner.run(suite)
        """,
        (12, 1, "calls runner.run(...) → Check.test_pool() → ProcessPoolExecutor(...) at line 6",
         (("runner.run(...)", 12), ("Check.test_pool()", 5), ("ProcessPoolExecutor(...)", 6))),
        id="a-runner-runs-a-suite-filled-with-add-test",
    ),
]


@pytest.mark.parametrize(("src", "expected"), VIA)
def test_transitive_findings(src: str, expected: tuple) -> None:
    text = dedent(src)
    findings = analyze_module(ast.parse(text), text).findings
    line, col, message, chain = expected
    assert [(f.code.value, f.line, f.col) for f in findings] == [("GF002", line, col)]
    assert findings[0].message == message
    assert tuple((step.label, step.line) for step in findings[0].chain) == chain


TIED_CHAINS = """\
from multiprocessing import Pool

def run_b():
    Pool(2)

def run_a():
    Pool(1)

funcs = {"b": run_b, "a": run_a}
funcs[kind]()
"""


def test_equally_short_chains_are_chosen_the_same_way_under_every_hash_seed() -> None:
    # Sets of values iterate in an order that changes with PYTHONHASHSEED: the chain shown
    # must not (issue 11).
    program = (
        "import ast, sys\n"
        "from fixer.analyze import analyze_module\n"
        "text = sys.stdin.read()\n"
        "print(analyze_module(ast.parse(text), text).findings[0].message)\n"
    )
    messages = {
        subprocess.run(
            [sys.executable, "-c", program], input=TIED_CHAINS, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(4)
    }
    assert messages == {"calls funcs[kind]() → Pool(...) at line 7\n"}


def test_direct_finding_message_and_chain() -> None:
    text = dedent(
        """\
        import multiprocessing as mp
        pool = mp.Pool(2)
        """
    )
    [finding] = analyze_module(ast.parse(text), text).findings
    assert finding.message == (
        'mp.Pool(...) starts processes at module level, outside an `if __name__ == "__main__":` guard'
    )
    assert [(step.label, step.line) for step in finding.chain] == [("mp.Pool(...)", 2)]


# ----- columns are 1-based characters --------------------------------------------------------

COLUMNS = [
    pytest.param('print("héllo", mp.Pool())\n', (3, 16), id="two-byte-char"),
    pytest.param('print("日本語", mp.Pool())\n', (3, 14), id="three-byte-chars"),
    pytest.param('print("🚀", mp.Pool())\n', (3, 12), id="four-byte-char"),
    pytest.param('label = "€"; pool = mp.Pool()\n', (3, 21), id="after-semicolon"),
    pytest.param('if "é":\n\tpool = mp.Pool()\n', (4, 9), id="tab-counts-one"),
]


@pytest.mark.parametrize(("lines", "position"), COLUMNS)
def test_column_counts_characters(lines: str, position: tuple) -> None:
    text = "import multiprocessing as mp\n# é on an earlier line changes nothing\n" + lines
    [finding] = analyze_module(ast.parse(text), text).findings
    assert (finding.line, finding.col) == position


def test_column_counts_characters_in_latin1_file() -> None:
    text = '# -*- coding: latin-1 -*-\nimport multiprocessing as mp\nprint("é", mp.Pool())\n'
    result = process_source(text.encode("latin-1"), "script.py")
    assert [(f.code.value, f.line, f.col) for f in result.findings] == [("GF001", 3, 12)]


# ----- negatives ------------------------------------------------------------------------------

NEGATIVE = [
    pytest.param(
        """\
        import threading
        import multiprocessing
        t = threading.Thread(target=print)
        t.start()
        """,
        id="thread",
    ),
    pytest.param(
        """\
        import threading
        from multiprocessing import Process
        monitor = threading.Thread(target=print)
        monitor.start()
        if __name__ == "__main__":
            p = Process(target=print)
            p.start()
        """,
        id="thread-in-file-that-starts-processes-under-guard",
    ),
    pytest.param(
        """\
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor() as executor:
            executor.submit(print)
        """,
        id="thread-pool-executor",
    ),
    pytest.param(
        """\
        import concurrent.futures as cf
        executor = cf.ThreadPoolExecutor(4)
        """,
        id="thread-pool-executor-attribute",
    ),
    pytest.param(
        """\
        import multiprocessing.dummy
        from multiprocessing.dummy import Pool
        pool = Pool(2)
        other = multiprocessing.dummy.Pool(2)
        """,
        id="multiprocessing-dummy-pool",
    ),
    pytest.param(
        """\
        from multiprocessing import dummy as mp
        pool = mp.Pool(2)
        mp.Process(target=print).start()
        """,
        id="multiprocessing-dummy-as-mp",
    ),
    pytest.param(
        """\
        import multiprocessing.pool
        from multiprocessing.pool import ThreadPool
        pool = ThreadPool(2)
        other = multiprocessing.pool.ThreadPool(2)
        """,
        id="multiprocessing-pool-threadpool",
    ),
    pytest.param(
        """\
        import os
        import subprocess
        import multiprocessing
        subprocess.run(["true"])
        if os.fork() == 0:
            os._exit(0)
        os.system("true")
        print(multiprocessing.cpu_count())
        """,
        id="subprocess-fork-system",
    ),
    pytest.param(
        """\
        import multiprocessing
        class Manager:
            def start(self):
                pass
        class Pool:
            def __init__(self, n):
                self.n = n
        manager = Manager()
        manager.start()
        pool = Pool(2)
        """,
        id="own-manager-and-pool-classes",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        mp.get_context("fork").Pool()
        ctx = mp.get_context(method="fork")
        ctx.Process(target=print).start()
        """,
        id="get-context-fork",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        queue = mp.Queue()
        lock = mp.Lock()
        value = mp.Value("i", 0)
        event = mp.Event()
        process = mp.Process(target=print)
        """,
        id="queue-lock-value-and-unstarted-process",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        def work():
            mp.Pool()
        class Runner:
            def go(self):
                mp.Pool()
        runner = Runner()
        later = lambda: mp.Pool()
        """,
        id="never-called",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        def a(n):
            return b(n)
        def b(n):
            return a(n)
        a(3)
        """,
        id="recursion-without-start-terminates",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        if __name__ == "__main__":
            mp.Pool()
        """,
        id="guard-double-quotes",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        if __name__ == '__main__':
            mp.Pool()
        """,
        id="guard-single-quotes",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        if "__main__" == __name__:
            mp.Pool()
        """,
        id="guard-reversed-double-quotes",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        if '__main__' == __name__:
            mp.Pool()
        """,
        id="guard-reversed-single-quotes",
    ),
    pytest.param(
        """\
        import multiprocessing as mp
        verbose = True
        if __name__ == "__main__" and verbose:
            mp.Pool()
        """,
        id="guard-and-condition",
    ),
    # values that flow (issue 10): only what may really start processes
    pytest.param(
        """\
        from torch.utils.data import DataLoader
        def provider():
            return [1], DataLoader([1])
        data_set, loader = provider()
        for batch in loader:
            pass
        """,
        id="unpacked-loader-without-workers",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader
        from tqdm import tqdm
        loader = DataLoader([1], num_workers=2)
        bar = tqdm(loader)
        """,
        id="tqdm-made-but-not-iterated",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader
        kwargs = {"num_workers": 0}
        for batch in DataLoader([1], **kwargs):
            pass
        workers = 0
        for batch in DataLoader([1], num_workers=workers):
            pass
        for batch in DataLoader([1], num_workers=0 if True else 0):
            pass
        """,
        id="loader-kwargs-zero-workers",
    ),
    pytest.param(
        """\
        from multiprocessing.pool import ThreadPool
        import multiprocessing
        class Runner:
            def __init__(self):
                self.pool = ThreadPool(2)
            def run(self):
                self.pool.map(print, [1])
                self.pool.start()
        runner = Runner()
        runner.run()
        """,
        id="thread-pool-kept-on-self",
    ),
    pytest.param(
        """\
        import multiprocessing
        def run_local(n):
            return n
        def run_other(n):
            return -n
        funcs = {"local": run_local, "other": run_other}
        funcs["local"](3)
        for func in [run_local, run_other]:
            func(1)
        """,
        id="dict-and-list-of-functions-that-start-nothing",
    ),
    pytest.param(
        """\
        from multiprocessing import Process
        class Farm:
            def __init__(self, _stop_at_defaults=False):
                self.procs = [Process(target=print) for _ in range(2)]
                if _stop_at_defaults:
                    return
                for proc in self.procs:
                    proc.start()
            @classmethod
            def defaults(cls):
                return cls(_stop_at_defaults=True)
        defaults = Farm.defaults()
        more = Farm(True)
        """,
        id="literal-argument-returns-before-the-start",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool
        def run():
            Pool()
        def describe(func):
            return func.__name__
        describe(run)
        """,
        id="spawning-function-passed-but-not-called",
    ),
    pytest.param(
        """\
        import functools
        from multiprocessing import Pool
        make_pool = functools.partial(Pool, 2)
        """,
        id="partial-of-pool-never-called",
    ),
    pytest.param(
        """\
        from multiprocessing import Process
        class Launcher:
            def __init__(self, start=True):
                self.process = Process(target=print)
                if not start:
                    return
                self.process.start()
                self.process.join()
        idle = Launcher(start=False)
        """,
        id="literal-false-flag-returns-before-the-start",
    ),
    pytest.param(
        """\
        from torch.utils.data import DataLoader
        from tqdm import tqdm
        loaders = [DataLoader([1], num_workers=2), DataLoader([2], num_workers=2)]
        for name, loader in zip(["a", "b"], loaders):
            print(name, len(loader))
        for step in tqdm(range(3)):
            pass
        """,
        id="zip-over-a-list-of-loaders-iterates-the-list-not-the-loaders",
    ),
    pytest.param(
        """\
        from multiprocessing.pool import ThreadPool

        class Batches:
            def __iter__(self):
                return self

            def __next__(self):
                with ThreadPool(2) as pool:
                    return pool.map(abs, [-1])

            def start_all(self):
                from multiprocessing import Process
                Process(target=print).start()

        batches = Batches()
        print(next(iter(batches)))
        for item in [batches]:
            print(item)
        """,
        id="iterating-an-instance-whose-protocol-uses-threads-only",
    ),
    pytest.param(
        """\
        from multiprocessing import Process

        class Feed:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                pass

            def start(self):
                Process(target=print).start()

        with Feed() as feed:
            print(feed)
        """,
        id="with-an-instance-whose-enter-starts-nothing-though-another-method-does",
    ),
    pytest.param(
        """\
        import unittest
        from multiprocessing import Pool

        class Suite(unittest.TestProgram):
            def __init__(self):
                self.verbosity = 1

            def runTests(self):
                with Pool(2) as pool:
                    pool.map(abs, [-1])

        Suite()
        """,
        id="test-program-subclass-whose-own-init-never-calls-the-base",
    ),
    pytest.param(
        """\
        import unittest
        from multiprocessing import Pool

        class Runner(unittest.TextTestRunner):
            def each(self, result):
                with Pool(2) as pool:
                    pool.map(abs, [-1])

            def run(self, test):
                return super().run(test)

        Runner().run(unittest.TestSuite())
        """,
        id="text-test-runner-given-a-suite-not-the-pool-method",
    ),
    pytest.param(
        """\
        import unittest
        from multiprocessing import Process

        class Check(unittest.TestCase):
            def test_child(self):
                Process(target=print).start()

        unittest.main(module=None, argv=["x", "other_tests"])
        """,
        id="unittest-main-told-to-load-no-module",
    ),
    pytest.param(
        """\
        import unittest
        from multiprocessing import Process

        class Check(unittest.TestCase):
            def helper(self):
                Process(target=print).start()

            def test_add(self):
                self.assertEqual(1 + 1, 2)

        unittest.main()
        """,
        id="unittest-main-runs-test-methods-not-other-methods",
    ),
    pytest.param(
        """\
        import unittest
        from multiprocessing import Process

        class Check(unittest.TextTestRunner):
            def test_child(self):
                Process(target=print).start()

        unittest.main()
        """,
        id="unittest-main-loads-test-cases-not-runners",
    ),
]


@pytest.mark.parametrize("src", NEGATIVE)
def test_no_findings(src: str) -> None:
    assert positions(src) == []
    result = process_source(dedent(src).encode(), "script.py")
    # SKIPPED: the byte prefilter already ruled the file out; CLEAN: parsed, nothing found.
    assert result.status in (Status.CLEAN, Status.SKIPPED), result.reason
    assert not [f for f in result.findings if not f.code.is_warning] and result.new_source is None


def test_package_main_module_is_skipped() -> None:
    src = b"import multiprocessing as mp\nmp.Pool()\n"
    for name in ("__main__.py", "pkg/__main__.py"):
        result = process_source(src, name)
        assert result.status is Status.SKIPPED
        assert "__main__.py" in result.reason
        assert result.findings == ()
        assert result.new_source is None


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"print 'hello'\nexec 'x = 1'\n", id="python2"),
        pytest.param(b"\xff\xfe\x00\x01garbage\x00\x80", id="garbage-bytes"),
        pytest.param(b"import threading\nthreading.Thread(target=print).start()\n", id="threads-only"),
    ],
)
def test_files_without_process_api_are_skipped(data: bytes) -> None:
    result = process_source(data, "script.py")
    assert result.status is Status.SKIPPED
    assert result.findings == ()
    assert result.new_source is None


# ----- tree walks -------------------------------------------------------------------------

_LEAVES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)


@pytest.mark.parametrize(
    "src",
    [
        pytest.param("x = a + b * -c if not d and e < f else g[h].i(*j, k=l)\n", id="expressions"),
        pytest.param(
            """\
            @deco(1)
            async def f(a: int = 2, *, b=lambda c: c) -> None:
                global g
                async with m() as (n, *o):
                    del p[q]
                    r += [s async for t in u if t]
                    return f"{v!r:>{w}}"
            """,
            id="statements",
        ),
        pytest.param(
            """\
            from . import x as y
            try:
                import a.b
            except (E, F) as e:
                z = {k: v for k, v in w.items()} or {*s} or (yield)
            """,
            id="imports-and-handlers",
        ),
    ],
)
def test_walk_is_ast_walk_without_contexts_and_operators(src: str) -> None:
    """The analysis' walks skip leaves it never looks at, and keep the order of the others
    (findings are sorted stably, so the order of ties comes from the walk)."""
    tree = ast.parse(dedent(src))
    expected = [node for node in ast.walk(tree) if not isinstance(node, _LEAVES)]
    assert list(walk(tree)) == expected
    for node in expected:
        assert child_nodes(node) == [c for c in ast.iter_child_nodes(node) if not isinstance(c, _LEAVES)]


def test_importlib_literal_module_passes_the_prefilter_and_is_found() -> None:
    src = b'import importlib\nmp = importlib.import_module("multiprocessing")\nmp.Pool()\n'
    result = process_source(src, "script.py")
    assert [(f.code.value, f.line) for f in result.findings] == [("GF001", 3)]


class PrefixResolver:
    """A resolver whose only answer: any module under ``plugins`` may define a spawning ``run``."""

    def chain_for(self, qualname: str):
        return None

    def chain_for_call(self, qualname: str, arguments: tuple):
        return None

    def is_process_class(self, qualname: str) -> bool:
        return False

    def absolute(self, level: int, module):
        return None

    def chain_for_any(self, package: str, attr: str):
        if (package, attr) == ("plugins", "run"):
            return ExternalChain("plugins/mpi.py", 3, (ChainStep("Pool()", 4, "plugins/mpi.py"),))
        return None


@pytest.mark.parametrize(
    "call",
    ['importlib.import_module("plugins." + name).run()', 'importlib.import_module(f"plugins.{name}").run()'],
)
def test_import_module_with_a_literal_prefix_asks_for_any_module_under_it(call: str) -> None:
    text = f"import importlib\nname = input()\n{call}\n"
    findings = analyze_module(ast.parse(text), text, resolver=PrefixResolver(), path="script.py").findings
    assert [(f.code.value, f.line) for f in findings] == [("GF002", 3)]
    assert [(step.line, step.label) for step in findings[0].chain][1:] == [(4, "Pool()")]


def test_attributes_built_from_each_other_are_evaluated_once_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """A class whose attributes are built from the two before them is a graph of values:
    walked afresh from every use, evaluating the last one costs Fibonacci(N) steps (a real
    3,000-line module took 49 s).  Remembered, each attribute is evaluated about once."""
    import fixer.analyze as analyze

    count = 24
    lines = ["import multiprocessing", "", "class Model:", "    def __init__(self):", "        self.a0 = 1", "        self.a1 = 2"]
    lines += [f"        self.a{i} = (self.a{i - 1}, self.a{i - 2})" for i in range(2, count)]
    lines += [f"        self.pool = (self.a{count - 1}, multiprocessing.Pool(2))[1]", "", "    def run(self):"]
    lines += ["        return self.pool.map(abs, [1])", "", "Model().run()", ""]
    calls = [0]
    original = analyze._Analyzer._eval_source

    def counting(self, source, scope):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return original(self, source, scope)

    monkeypatch.setattr(analyze._Analyzer, "_eval_source", counting)
    text = "\n".join(lines)
    result = analyze_module(ast.parse(text), text)
    assert [f.code.value for f in result.findings] == ["GF002"]
    assert calls[0] < 10 * count, calls[0]  # linear; unremembered it is about 190,000


LITERAL_BRANCHES = """\
from multiprocessing import Pool


def grow(n=1):
    if n > 1:
        Pool(n)


def switch(flag=False):
    if flag:
        Pool(2)


def cores(n):
    if n <= 0:
        n = 4
    if n <= 1:
        return []
    with Pool(n) as pool:
        return pool.map(abs, [1])


def mode_of(mode):
    if mode == "serial" or mode is None:
        return None
    return Pool(2)


def starred(*names, flag=False):
    if flag:
        Pool(2)


"""


@pytest.mark.parametrize(
    "call, flagged",
    [
        pytest.param("grow()", False, id="default-rules-out"),
        pytest.param("grow(2)", True, id="literal-passes-comparison"),
        pytest.param("switch()", False, id="default-false-flag"),
        pytest.param("switch(flag=True)", True, id="true-flag"),
        pytest.param("switch(flag=len([]) == 0)", True, id="flag-not-a-literal"),
        pytest.param("cores(1)", False, id="rebinding-in-dead-branch-ignored"),
        pytest.param("cores(0)", True, id="rebinding-in-live-branch"),
        pytest.param("mode_of('serial')", False, id="or-of-comparisons"),
        pytest.param("mode_of(None)", False, id="is-none"),
        pytest.param("mode_of('processes')", True, id="other-string"),
        pytest.param("starred(*['a'])", True, id="starred-call-takes-no-default"),
    ],
)
def test_literal_arguments_decide_branches(call: str, flagged: bool) -> None:
    text = LITERAL_BRANCHES + call + "\n"
    findings = analyze_module(ast.parse(text), text).findings
    assert [f.code.value for f in findings] == (["GF002"] if flagged else [])


KWARGS_BRANCHES = """\
from multiprocessing import Pool


def run_get(values, **opts):
    n = opts.get("processes", 1)
    if n > 1:
        Pool(n)


def run_index(values, **opts):
    if opts["processes"] > 1:
        Pool(2)


def run_pop(values, **kwargs):
    n = kwargs.pop("processes", 1)
    if n > 1:
        Pool(n)


def run_in(values, **opts):
    if "processes" in opts:
        Pool(2)


def run_or(values, processes=None):
    n = processes or 1
    if n > 1:
        Pool(n)


def run_int(values, processes="1"):
    if int(processes) > 1:
        Pool(2)


def run_ifexp(values, processes=None):
    n = 1 if processes is None else processes
    if n > 1:
        Pool(n)


def run_setdefault(values, **opts):
    opts.setdefault("processes", 4)
    if opts.get("processes", 1) > 1:
        Pool(2)


def run_store(values, **opts):
    opts["processes"] = 4
    if opts.get("processes", 1) > 1:
        Pool(2)


def run_pop_twice(values, **opts):
    opts.pop("processes", 1)
    if opts.pop("processes", 4) > 1:
        Pool(2)


def run_handed(values, **opts):
    fill(opts)
    if opts.get("processes", 1) > 1:
        Pool(2)


def run_augmented(values, processes=1):
    n = processes or 1
    n += 3
    if n > 1:
        Pool(n)


def run_looped(values, processes=1):
    n = processes
    for _ in values:
        n = n * 2
    if n > 1:
        Pool(n)


def run_shadowed(values, processes="1"):
    int = len
    if int(processes) > 1:
        Pool(2)


def run_member(values, key="processes", **opts):
    if key in opts or opts.get("mode") in ("pool", "processes") or len(values) in values:
        Pool(2)


def run_pop_in_loop(values, **opts):
    for _ in values:
        if opts.pop("processes", 4) > 1:
            Pool(2)


def fill(mapping):
    mapping["processes"] = 4


"""


@pytest.mark.parametrize(
    "call, flagged",
    [
        pytest.param("run_get([], processes=1)", False, id="get-literal"),
        pytest.param("run_get([])", False, id="get-default-when-left-out"),
        pytest.param("run_get([], processes=4)", True, id="get-literal-above-one"),
        pytest.param("run_get([], processes=len('ab'))", True, id="get-not-a-literal"),
        pytest.param("run_get([], **{'processes': 4})", True, id="get-from-unseen-mapping"),
        pytest.param("run_get([], *[])", True, id="starred-call-keys-unknown"),
        pytest.param("run_index([], processes=1)", False, id="subscript-literal"),
        pytest.param("run_index([], processes=2)", True, id="subscript-above-one"),
        pytest.param("run_pop([], processes=1)", False, id="pop-literal"),
        pytest.param("run_pop([], processes=3)", True, id="pop-above-one"),
        pytest.param("run_in([])", False, id="key-absent"),
        pytest.param("run_in([], processes=1)", True, id="key-present"),
        pytest.param("run_or([])", False, id="or-default"),
        pytest.param("run_or([], processes=2)", True, id="or-literal-above-one"),
        pytest.param("run_int([], processes='1')", False, id="int-of-literal"),
        pytest.param("run_int([], processes='2')", True, id="int-above-one"),
        pytest.param("run_int([], processes='x')", True, id="int-raises-unknown"),
        pytest.param("run_ifexp([])", False, id="conditional-expression"),
        pytest.param("run_ifexp([], processes=2)", True, id="conditional-expression-above-one"),
        pytest.param("run_setdefault([], processes=1)", True, id="setdefault-makes-keys-unknown"),
        pytest.param("run_store([], processes=1)", True, id="store-makes-keys-unknown"),
        pytest.param("run_pop_twice([], processes=1)", True, id="second-pop-sees-the-default"),
        pytest.param("run_handed([], processes=1)", True, id="dict-handed-on-may-change"),
        pytest.param("run_augmented([])", True, id="augmented-assignment-is-not-its-value"),
        pytest.param("run_looped([])", True, id="rebound-in-a-loop"),
        pytest.param("run_shadowed([], processes='1')", True, id="shadowed-builtin"),
        pytest.param("run_member([], processes=1)", True, id="membership-of-a-name-is-unknown"),
        pytest.param("run_pop_in_loop([1, 2], processes=1)", True, id="popped-in-a-loop-then-the-default"),
        pytest.param("run_member([])", True, id="membership-of-a-name-with-no-keywords"),
    ],
)
def test_literal_arguments_decide_branches_through_kwargs_and_locals(call: str, flagged: bool) -> None:
    text = KWARGS_BRANCHES + call + "\n"
    findings = analyze_module(ast.parse(text), text).findings
    assert [f.code.value for f in findings] == (["GF002"] if flagged else [])


LITERAL_ATTRIBUTES = """\
from multiprocessing import Pool

from joblib import Parallel, delayed


class Runner:
    def __init__(self, num_processes=0, label="run"):
        self.num_processes = num_processes
        self.label = label

    def run(self):
        if self.num_processes == 0:
            return [abs(-1)]
        with Pool(self.num_processes) as pool:
            return pool.map(abs, [-1])


class Retuned(Runner):
    def tune(self, n):
        self.num_processes = n


class Estimator:
    def __init__(self, n_jobs=None):
        self.n_jobs = n_jobs

    def fit(self, items):
        if self.n_jobs is None or self.n_jobs == 1:
            return [abs(i) for i in items]
        return self._fit_parallel(items)

    def _fit_parallel(self, items):
        return Pool(self.n_jobs).map(abs, items)


class Defaulted:
    def __init__(self, n_jobs=None):
        if n_jobs is None:
            n_jobs = 4
        self.n_jobs = n_jobs

    def fit(self):
        if self.n_jobs is None:
            return []
        return Pool(self.n_jobs).map(abs, [1])


class Writer:
    def __init__(self, num_processes=0):
        self.num_processes = num_processes
        if self.num_processes == 0:
            self.pool = None
        else:
            self.pool = Pool(self.num_processes)


class Backed:
    def __init__(self, n_jobs=1):
        self.n_jobs = n_jobs

    def fit(self, items):
        return Parallel(n_jobs=self.n_jobs, backend="multiprocessing")(delayed(abs)(i) for i in items)


class Mode:
    def __init__(self):
        self.mode = "threads"

    def run(self):
        if self.mode == "processes":
            Pool(2)


"""


@pytest.mark.parametrize(
    "call, flagged",
    [
        pytest.param("Runner().run()", False, id="default-kept-on-self"),
        pytest.param("Runner(num_processes=0).run()", False, id="keyword-kept-on-self"),
        pytest.param("Runner(0, 'a').run()", False, id="positional-kept-on-self"),
        pytest.param("r = Runner(0)\nr.run()", False, id="instance-bound-to-a-name"),
        pytest.param("def go():\n    r = Runner()\n    return r.run()\ngo()", False, id="instance-in-a-function"),
        pytest.param("Runner(num_processes=4).run()", True, id="literal-reaches-pool"),
        pytest.param("Runner(len([1])).run()", True, id="not-a-literal"),
        pytest.param("r = Runner(0)\nr.num_processes = 4\nr.run()", True, id="rebound-by-the-script"),
        pytest.param("r = Runner(0)\nsetattr(r, 'num_processes', 4)\nr.run()", True, id="setattr"),
        pytest.param("Retuned().run()", True, id="another-method-rebinds"),
        pytest.param("Estimator().fit([1])", False, id="none-default-is-none-or-one"),
        pytest.param("Estimator(n_jobs=1).fit([1])", False, id="one-is-none-or-one"),
        pytest.param("Estimator(n_jobs=2).fit([1])", True, id="two-reaches-pool"),
        pytest.param("Defaulted().fit()", True, id="parameter-rebound-before-kept"),
        pytest.param("Writer()", False, id="tested-in-init-after-assignment"),
        pytest.param("Writer(2)", True, id="init-literal-reaches-pool"),
        pytest.param("Backed().fit([1])", False, id="joblib-one-job-is-sequential"),
        pytest.param("Backed(n_jobs=2).fit([1])", True, id="joblib-two-jobs"),
        pytest.param("Backed(n_jobs=None).fit([1])", True, id="joblib-none-may-follow-a-context"),
        pytest.param("Mode().run()", False, id="literal-assigned-in-init"),
    ],
)
def test_literals_kept_on_self_decide_branches(call: str, flagged: bool) -> None:
    text = LITERAL_ATTRIBUTES + call + "\n"
    findings = analyze_module(ast.parse(text), text).findings
    assert bool(findings) == flagged, [f.message for f in findings]
    assert all(f.code.value == "GF002" for f in findings)


@pytest.mark.parametrize(
    "source, flagged",
    [
        pytest.param("import dask\nimport dask.multiprocessing\ndask.compute(x, scheduler=dask.multiprocessing.get)\n", True, id="scheduler-function"),
        pytest.param("from dask import compute\nimport dask.multiprocessing as dmp\ncompute(x, scheduler=dmp.get)\n", True, id="scheduler-function-alias"),
        pytest.param("import dask\ndask.compute(x, scheduler='multiprocessing')\n", True, id="multiprocessing-name"),
        pytest.param("import dask\nimport dask.threaded\ndask.compute(x, scheduler=dask.threaded.get)\n", False, id="threaded-function"),
        pytest.param("import dask\ndask.compute(x, scheduler='threads')\n", False, id="threads-name"),
    ],
)
def test_dask_scheduler_that_names_the_process_pool(source: str, flagged: bool) -> None:
    findings = analyze_module(ast.parse(source), source).findings
    assert [f.code.value for f in findings] == (["GF001"] if flagged else [])


def test_a_default_handed_back_by_an_unknown_mapping_is_followed() -> None:
    source = dedent(
        """\
        import concurrent.futures

        def run(items, **kwargs):
            pool = kwargs.pop("pool", concurrent.futures.ProcessPoolExecutor)
            with pool(max_workers=2) as ex:
                return list(ex.map(abs, items))

        def quiet(items, **kwargs):
            pool = kwargs.pop("pool", concurrent.futures.ThreadPoolExecutor)
            with pool(max_workers=2) as ex:
                return list(ex.map(abs, items))

        run([1])
        quiet([1])
        """
    )
    findings = analyze_module(ast.parse(source), source).findings
    assert [(f.code.value, f.line) for f in findings] == [("GF002", 13)]


GETATTR_CALLS = """\
import multiprocessing
from multiprocessing import Pool


class Job:
    def compute(self):
        with Pool(2) as pool:
            return pool.map(abs, [-1])

    def serial(self):
        return [abs(-1)]


def run_pool():
    return Job().compute()


"""


@pytest.mark.parametrize(
    "call, codes",
    [
        pytest.param("getattr(Job(), 'compute')()", ["GF002"], id="method-by-literal-name"),
        pytest.param("getattr(Job(), 'compute', None)()", ["GF002"], id="with-a-default"),
        pytest.param("getattr(Job(), 'serial')()", [], id="serial-method"),
        pytest.param("getattr(multiprocessing, 'Pool')(2)", ["GF001"], id="catalogued-attribute"),
        pytest.param("getattr(Job(), 'missing', run_pool)()", ["GF002"], id="default-may-be-called"),
        pytest.param("getattr(Job(), 'serial', abs)()", [], id="harmless-default"),
        pytest.param("getattr = lambda obj, name: abs\ngetattr(Job(), 'compute')()", [], id="rebound-getattr"),
    ],
)
def test_getattr_with_a_literal_name_is_the_attribute(call: str, codes: list) -> None:
    text = GETATTR_CALLS + call + "\n"
    findings = analyze_module(ast.parse(text), text).findings
    assert [f.code.value for f in findings] == codes


def test_kept_attributes_skip_the_module_walks_when_no_kept_attribute_is_read_again() -> None:
    """``kept_attributes`` needs the module-wide walks (tested attributes, attribute
    stores) only for an ``__init__`` that keeps an attribute the text spells again after
    a dot; a class whose kept attributes are never read again asks none of them, and a
    class whose attribute an ``if`` tests still keeps it."""
    from fixer.analyze import make_analyzer

    quiet = make_analyzer(
        "class Job:\n    def __init__(self, workers):\n        self.workers = workers\n",
        "m.py", None, None, "m.py",
    )
    assert quiet.kept_attributes("Job") == {}
    assert quiet._decided_attributes is None and quiet._attribute_stores is None

    tested = make_analyzer(
        "class Job:\n    def __init__(self, workers):\n        self.workers = workers\n\n"
        "    def run(self):\n        if self.workers > 1:\n            return 1\n",
        "m.py", None, None, "m.py",
    )
    assert set(tested.kept_attributes("Job")) == {"workers"}
    assert tested._decided_attributes is not None
