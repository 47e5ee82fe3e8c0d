"""fixer.hazards: the GF1xx warnings about what a guard alone does not fix."""

from __future__ import annotations

from textwrap import dedent

import pytest

from fixer.model import Options, SourceResult, Status
from fixer.pipeline import process_source


def run(src: str, options: Options = Options()) -> SourceResult:
    return process_source(dedent(src).encode(), "script.py", options)


def source_of(table: list, case_id: str) -> str:
    """The source of the case ``case_id`` of a parameter table."""
    return next(param.values[0] for param in table if param.id == case_id)


def positions(src: str) -> list[tuple[str, int, int]]:
    """(code, line, col) of every finding, errors and warnings, in report order."""
    return [(f.code.value, f.line, f.col) for f in run(src).findings]


# ----- GF101: a worker reads a module-level primitive or proxy ------------------------------

SHARED = [
    pytest.param(
        """\
        from multiprocessing import Pool, Lock

        lock = Lock()


        def work(x):
            with lock:
                return x * 2


        with Pool(2) as pool:
            print(pool.map(work, range(4)))
        """,
        [("GF101", 3, 1), ("GF001", 11, 6)],
        id="lock-pool-map",
    ),
    pytest.param(
        """\
        import multiprocessing as mp

        queue = mp.Queue()


        def work():
            queue.put(1)


        p = mp.Process(target=work)
        p.start()
        p.join()
        """,
        [("GF101", 3, 1), ("GF001", 11, 1)],
        id="queue-process-target",
    ),
    pytest.param(
        """\
        import multiprocessing as mp

        queue = mp.Queue()


        def work():
            queue.put(1)


        p = mp.Process(target=work)
        p.start()
        print(queue.get())
        p.join()
        """,
        [("GF101", 3, 1), ("GF001", 11, 1)],
        id="queue-also-drained-by-the-parent",
    ),
    pytest.param(
        """\
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import Value

        total = Value("i", 0)


        def work(x):
            with total.get_lock():
                total.value += x
            return x


        with ProcessPoolExecutor(2) as executor:
            print(executor.submit(work, 2).result())
        """,
        [("GF101", 4, 1), ("GF001", 13, 6)],
        id="value-executor-submit",
    ),
    pytest.param(
        """\
        from multiprocessing import Event, Pool

        stop = Event()


        def work(x):
            return None if stop.is_set() else x


        pool = Pool(2)
        print(pool.apply_async(work, (1,)).get())
        pool.close()
        pool.join()
        """,
        [("GF101", 3, 1), ("GF001", 10, 8)],
        id="event-apply-async",
    ),
    pytest.param(
        """\
        from multiprocessing import Array, Pool

        table = Array("d", 4)


        def work(i):
            return table[i]


        with Pool(2) as pool:
            print(list(pool.imap_unordered(work, range(4))))
        """,
        [("GF101", 3, 1), ("GF001", 10, 6)],
        id="array-imap-unordered",
    ),
    pytest.param(
        """\
        from multiprocessing import Manager, Process

        manager = Manager()
        shared = manager.dict()


        def work(key):
            shared[key] = key * 2


        p = Process(target=work, args=(3,))
        p.start()
        p.join()
        print(dict(shared))
        """,
        [("GF001", 3, 11), ("GF101", 4, 1), ("GF001", 12, 1)],
        id="manager-dict-process",
    ),
    pytest.param(
        """\
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import Value

        total = Value("i", 0)


        def helper(x):
            with total.get_lock():
                total.value += x


        def work(x):
            helper(x)
            return x


        with ProcessPoolExecutor(2) as executor:
            print(executor.submit(work, 2).result())
        """,
        [("GF101", 4, 1), ("GF001", 17, 6)],
        id="worker-reaches-it-through-a-helper",
    ),
    pytest.param(
        """\
        from multiprocessing import Lock, Pool

        lock = Lock()


        def init():
            lock.acquire()
            lock.release()


        with Pool(2, initializer=init) as pool:
            print(pool.map(abs, [-1]))
        """,
        [("GF101", 3, 1), ("GF001", 11, 6)],
        id="pool-initializer",
    ),
    pytest.param(
        """\
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        lock = ctx.Lock()


        def work(x):
            with lock:
                return x


        if __name__ == "__main__":
            with ctx.Pool(2) as pool:
                print(pool.starmap(work, [(1,)]))
        """,
        [("GF101", 4, 1)],
        id="context-lock-starmap",
    ),
    pytest.param(
        """\
        from multiprocessing import Lock, Pool

        lock = Lock()


        def work(x):
            with lock:
                return x


        def main():
            with Pool(2) as pool:
                print(pool.map(work, [1]))


        if __name__ == "__main__":
            main()
        """,
        [("GF101", 3, 1)],
        id="already-guarded-script",
    ),
]


@pytest.mark.parametrize(("src", "expected"), SHARED)
def test_gf101_worker_reads_module_level_primitive(src: str, expected: list) -> None:
    assert positions(src) == expected


def test_gf101_message_names_worker_and_object() -> None:
    result = run(source_of(SHARED, "worker-reaches-it-through-a-helper"))
    warning = result.findings[0]
    assert warning.message == (
        "worker helper() reads 'total', a module-level Value: under spawn each child creates its own "
        "copy; pass it through args= or a pool initializer"
    )


NOT_SHARED = [
    pytest.param(
        """\
        from multiprocessing import Lock, Process

        lock = Lock()


        def work(lk):
            with lk:
                print("done")


        p = Process(target=work, args=(lock,))
        p.start()
        p.join()
        """,
        id="passed-through-args",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool, Queue

        queue = Queue()


        def report():
            return queue.empty()


        def work(x):
            return x * 2


        with Pool(2) as pool:
            print(pool.map(work, [1]), report())
        """,
        id="read-only-by-a-non-worker",
    ),
    pytest.param(
        """\
        from multiprocessing import Lock, Pool


        def work(x):
            lock = Lock()
            with lock:
                return x


        with Pool(2) as pool:
            print(pool.map(work, [1]))
        """,
        id="worker-creates-its-own",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool
        from threading import Lock

        lock = Lock()


        def work(x):
            with lock:
                return x


        with Pool(2) as pool:
            print(pool.map(work, [1]))
        """,
        id="threading-lock",
    ),
]


@pytest.mark.parametrize("src", NOT_SHARED)
def test_gf101_not_reported(src: str) -> None:
    assert [code for code, _, _ in positions(src) if code == "GF101"] == []


# ----- GF102: a worker reads a global the work changes -------------------------------------

CHANGED = [
    pytest.param(
        """\
        from multiprocessing import Pool

        factor = 2


        def scale(x):
            return x * factor


        with Pool(2) as pool:
            before = pool.map(scale, [1, 2, 3])
        print(before)

        factor = 10

        with Pool(2) as pool:
            print(pool.map(scale, [1, 2, 3]))
        """,
        [("GF001", 10, 6), ("GF102", 14, 1), ("GF001", 16, 6)],
        id="rebound-by-moved-work",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        config = {"n": 1}


        def work(x):
            return x * config["n"]


        with Pool(2) as pool:
            config["n"] = pool.apply(abs, (-5,))
            print(pool.map(work, range(3)))
        """,
        [("GF001", 10, 6), ("GF102", 11, 5)],
        id="mutated-in-place-by-moved-work",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        factor = 1


        def work(x):
            return x * factor


        if __name__ == "__main__":
            factor = 10
            with Pool(2) as pool:
                print(pool.map(work, range(4)))
        """,
        [("GF102", 11, 5)],
        id="rebound-in-existing-guard",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        seen = []


        def helper():
            return len(seen)


        def work(x):
            return x + helper()


        if __name__ == "__main__":
            seen.append(1)
            with Pool(2) as pool:
                print(pool.map(work, range(4)))
        """,
        [("GF102", 15, 5)],
        id="mutated-read-through-a-helper",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        from settings import ORDER


        def work(x):
            return ORDER.index(x)


        ORDER.sort()
        with Pool(2) as pool:
            print(pool.map(work, [1]))
        """,
        [("GF102", 10, 1), ("GF001", 11, 6)],
        id="a-from-imported-list-sorted-in-place",
    ),
]


@pytest.mark.parametrize(("src", "expected"), CHANGED)
def test_gf102_worker_reads_a_changed_global(src: str, expected: list) -> None:
    assert positions(src) == expected


NOT_CHANGED = [
    pytest.param(
        """\
        from multiprocessing import Pool

        config = {"n": 1}


        def work(x):
            return x * 2


        if __name__ == "__main__":
            config["n"] = 5
            with Pool(2) as pool:
                print(pool.map(work, range(config["n"])), config)
        """,
        id="only-the-parent-reads-it",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        factor = 3


        def work(x):
            return x * factor


        with Pool(2) as pool:
            print(pool.map(work, range(4)))
        """,
        id="never-changed",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        factor = 1
        factor = 10


        def work(x):
            return x * factor


        with Pool(2) as pool:
            print(pool.map(work, range(4)))
        """,
        id="changed-at-module-level-before-the-work",
    ),
    pytest.param(
        """\
        import logging
        from multiprocessing import Pool

        log = logging.getLogger(__name__)
        CONFIG = {"scale": 3}


        def work(x):
            log.debug("working on %s", x)
            return x * CONFIG["scale"]


        if __name__ == "__main__":
            log.info("scale is %s", CONFIG.get("scale"))
            for key, value in CONFIG.items():
                print(key, value)
            with Pool(2) as pool:
                print(pool.map(work, range(4)))
        """,
        id="parent-only-calls-read-only-methods",
    ),
    pytest.param(
        """\
        from multiprocessing import Process, Queue

        queue = Queue()


        def work(q):
            q.put(1)


        if __name__ == "__main__":
            p = Process(target=work, args=(queue,))
            p.start()
            print(queue.get())
            p.join()
        """,
        id="parent-reads-a-queue-the-worker-gets-through-args",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool

        factor = 2


        def work(x):
            return x * factor


        with Pool(2) as pool:
            print(pool.map(work, [1]))
        factor = 3
        print(factor)
        """,
        id="change-after-the-last-pool-reaches-no-child",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool, Value

        counter = None


        def init(c):
            global counter
            counter = c


        def work(x):
            return counter.value


        if __name__ == "__main__":
            counter = Value("i", 0)
            with Pool(2, initializer=init, initargs=(counter,)) as pool:
                print(pool.map(work, [1]))
        """,
        id="pool-initializer-sets-the-global-in-every-child",
    ),
    pytest.param(
        """\
        import numpy as np
        from multiprocessing import Pool


        def work(x):
            return np.sqrt(x)


        order = np.sort([3, 1, 2])
        with Pool(2) as pool:
            print(pool.map(work, order))
        """,
        id="a-module-function-named-like-a-mutating-method",
    ),
]


@pytest.mark.parametrize("src", NOT_CHANGED)
def test_gf102_not_reported(src: str) -> None:
    assert [code for code, _, _ in positions(src) if code == "GF102"] == []


# ----- GF103: unpicklable targets ----------------------------------------------------------

UNPICKLABLE = [
    pytest.param(
        """\
        from multiprocessing import Pool

        with Pool(2) as pool:
            print(pool.map(lambda x: x * 2, range(4)))
        """,
        [("GF001", 3, 6), ("GF103", 4, 20)],
        id="lambda-mapped",
    ),
    pytest.param(
        """\
        from multiprocessing import Process

        p = Process(target=lambda: print("hi"))
        p.start()
        p.join()
        """,
        [("GF103", 3, 20), ("GF001", 4, 1)],
        id="lambda-process-target",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool


        def main():
            def square(x):
                return x * x

            with Pool(2) as pool:
                print(pool.map(square, range(4)))


        if __name__ == "__main__":
            main()
        """,
        [("GF103", 9, 24)],
        id="nested-function-mapped",
    ),
    pytest.param(
        """\
        from concurrent.futures import ProcessPoolExecutor


        def main():
            def square(x):
                return x * x

            with ProcessPoolExecutor(2) as executor:
                print(executor.submit(square, 3).result())


        if __name__ == "__main__":
            main()
        """,
        [("GF103", 9, 31)],
        id="nested-function-submitted",
    ),
]


@pytest.mark.parametrize(("src", "expected"), UNPICKLABLE)
def test_gf103_unpicklable_target(src: str, expected: list) -> None:
    assert positions(src) == expected


def test_gf103_not_reported_for_a_module_level_function() -> None:
    src = """\
        from multiprocessing import Pool, Process


        def square(x):
            return x * x


        if __name__ == "__main__":
            with Pool(2) as pool:
                print(pool.map(square, range(4)))
            p = Process(target=square, args=(2,))
            p.start()
            p.join()
        """
    assert positions(src) == []


# ----- GF104: processes never joined -------------------------------------------------------


def test_gf104_started_never_joined() -> None:
    src = """\
        from multiprocessing import Process


        def work():
            print("hi")


        p = Process(target=work)
        p.start()
        """
    assert positions(src) == [("GF001", 9, 1), ("GF104", 9, 1)]


def test_gf104_started_in_a_function_never_joined() -> None:
    src = """\
        from multiprocessing import Process


        def work():
            print("hi")


        def main():
            for _ in range(2):
                Process(target=work).start()


        if __name__ == "__main__":
            main()
        """
    assert positions(src) == [("GF104", 10, 9)]


def test_gf104_a_string_join_is_not_a_process_join() -> None:
    src = """\
        import os
        from multiprocessing import Process


        def work(path):
            print(path)


        if __name__ == "__main__":
            p = Process(target=work, args=(os.path.join("a", "b"),))
            p.start()
            print(", ".join(["started"]))
        """
    assert positions(src) == [("GF104", 11, 5)]


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(
            """\
            from multiprocessing import Process


            def work():
                print("hi")


            p = Process(target=work)
            p.start()
            p.join()
            """,
            id="joined",
        ),
        pytest.param(
            """\
            from multiprocessing import Process


            def work():
                print("hi")


            if __name__ == "__main__":
                procs = [Process(target=work) for _ in range(2)]
                for p in procs:
                    p.start()
                for p in procs:
                    p.join()
            """,
            id="joined-in-a-loop",
        ),
        pytest.param(
            """\
            from multiprocessing import Process


            class Job:
                def __init__(self):
                    self.process = Process(target=print)

                def begin(self):
                    self.process.start()

                def finish(self):
                    self.process.join()


            if __name__ == "__main__":
                job = Job()
                job.begin()
                job.finish()
            """,
            id="kept-on-self-and-joined-in-another-method",
        ),
        pytest.param(
            """\
            import multiprocessing


            class Farm:
                def __init__(self):
                    self.workers = {}
                    self.spare = []

                def spawn(self):
                    p = multiprocessing.Process(target=print)
                    p.start()
                    self.workers[p.pid] = p

                def spawn_spare(self):
                    q = multiprocessing.Process(target=print)
                    q.start()
                    self.spare.append(q)

                def shutdown(self):
                    for p in [*self.workers.values(), *self.spare]:
                        p.join()


            if __name__ == "__main__":
                farm = Farm()
                farm.spawn()
                farm.spawn_spare()
                farm.shutdown()
            """,
            id="stored-on-self-and-joined-in-another-method",
        ),
    ],
)
def test_gf104_not_reported_when_joined(src: str) -> None:
    assert [code for code, _, _ in positions(src) if code == "GF104"] == []


# ----- GF105: set_start_method("fork") -----------------------------------------------------


def test_gf105_fork_start_method() -> None:
    src = """\
        import multiprocessing

        multiprocessing.set_start_method("fork")
        """
    assert positions(src) == [("GF003", 3, 1), ("GF105", 3, 1)]


def test_gf105_fork_start_method_under_the_guard() -> None:
    src = """\
        from multiprocessing import Pool, set_start_method


        if __name__ == "__main__":
            set_start_method("fork", force=True)
            with Pool(2) as pool:
                print(pool.map(abs, [-1]))
        """
    result = run(src)
    assert [(f.code.value, f.line, f.col) for f in result.findings] == [("GF105", 5, 5)]
    assert result.status is Status.CLEAN


def test_gf105_not_reported_for_spawn() -> None:
    src = """\
        import multiprocessing

        multiprocessing.set_start_method("spawn")
        """
    assert positions(src) == [("GF003", 3, 1)]


def test_gf105_not_reported_for_a_lookalike() -> None:
    src = """\
        import multiprocessing


        def set_start_method(name):
            return name


        set_start_method("fork")
        print(multiprocessing.cpu_count())
        """
    assert positions(src) == []


# ----- warnings next to the fix ----------------------------------------------------------

HAZARDOUS = source_of(SHARED, "lock-pool-map")

HAZARDOUS_FIXED = dedent(
    """\
    from multiprocessing import Pool, Lock

    lock = Lock()


    def work(x):
        with lock:
            return x * 2


    def main():
        global pool
        with Pool(2) as pool:
            print(pool.map(work, range(4)))


    if __name__ == "__main__":
        main()
    """
)


def test_warnings_do_not_change_the_rewrite() -> None:
    with_warnings = run(HAZARDOUS)
    without_warnings = run(HAZARDOUS, Options(ignore=("GF1",)))
    assert [f.code.value for f in with_warnings.findings] == ["GF101", "GF001"]
    assert [f.code.value for f in without_warnings.findings] == ["GF001"]
    assert with_warnings.status is without_warnings.status is Status.FIXED
    assert with_warnings.new_source == without_warnings.new_source == HAZARDOUS_FIXED.encode()


HAZARD_PAIRS = [
    pytest.param(
        """\
        import multiprocessing

        multiprocessing.set_start_method("fork")
        with multiprocessing.Pool(2) as pool:
            print(pool.map(abs, [-1]))
        """,
        'set_start_method("fork")',
        'set_start_method("spawn")',
        id="gf105-fork-vs-spawn",
    ),
    pytest.param(
        """\
        from multiprocessing import Process


        def work():
            print("hi")


        procs = [Process(target=work) for _ in range(2)]
        for p in procs:
            p.start()
        print("started")
        """,
        'print("started")',
        "for p in procs:\n    p.join()",
        id="gf104-unjoined-vs-joined",
    ),
    pytest.param(
        """\
        from multiprocessing import Pool


        def double(x):
            return x * 2


        with Pool(2) as pool:
            print(pool.map(lambda x: x * 2, range(4)))
        """,
        "lambda x: x * 2",
        "double",
        id="gf103-lambda-vs-function",
    ),
]


@pytest.mark.parametrize(("src", "hazard", "safe"), HAZARD_PAIRS)
def test_the_rewrite_is_the_same_with_and_without_the_hazard(src: str, hazard: str, safe: str) -> None:
    hazardous = dedent(src)
    safe_src = hazardous.replace(hazard, safe)
    hazard_result, safe_result = run(hazardous), run(safe_src)
    assert any(f.code.is_warning for f in hazard_result.findings)
    assert not any(f.code.is_warning for f in safe_result.findings)
    assert [f for f in hazard_result.findings if not f.code.is_warning] != []
    assert hazard_result.status is safe_result.status is Status.FIXED
    assert hazard_result.new_source is not None and safe_result.new_source is not None
    fixed = hazard_result.new_source.decode()
    indent = "    " if "\n    " + hazard.splitlines()[0] in fixed else ""
    expected = fixed.replace(hazard, safe.replace("\n", "\n" + indent))
    assert expected == safe_result.new_source.decode()


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(source_of(SHARED, "already-guarded-script"), id="gf101"),
        pytest.param(source_of(CHANGED, "rebound-in-existing-guard"), id="gf102"),
        pytest.param(source_of(UNPICKLABLE, "nested-function-mapped"), id="gf103"),
        pytest.param(
            """\
            from multiprocessing import Process

            if __name__ == "__main__":
                Process(target=print).start()
            """,
            id="gf104",
        ),
        pytest.param(
            """\
            import multiprocessing

            if __name__ == "__main__":
                multiprocessing.set_start_method("fork")
            """,
            id="gf105",
        ),
    ],
)
def test_warnings_alone_leave_the_file_clean(src: str) -> None:
    result = run(src)
    assert result.findings and all(f.code.is_warning for f in result.findings)
    assert result.status is Status.CLEAN
    assert result.new_source is None


def test_ignored_warnings_are_not_reported() -> None:
    result = run(source_of(SHARED, "already-guarded-script"), Options(ignore=("GF101",)))
    assert result.findings == ()
    assert result.status is Status.CLEAN


def test_selected_warnings_only() -> None:
    result = run(HAZARDOUS, Options(select=("GF101",)))
    assert [f.code.value for f in result.findings] == ["GF101"]
    assert result.status is Status.CLEAN
