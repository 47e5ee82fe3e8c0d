"""The catalogue of APIs that start processes: data only, each entry with a one-line why.

Facts behind each entry are in the project's domain notes (observed on CPython 3.6-3.13
with each API called at module level under spawn and forkserver).  Users extend the
catalogue with ``--extra-spawner`` / ``extra-spawners``.
"""

from __future__ import annotations

import enum
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from fixer import facts
from fixer.facts import WORD, attribute_words, import_regions, top_package  # noqa: F401 -- (imported from here too)
from fixer.sites import SPAWNERS_WHEN_ABSENT


class Kind(enum.Enum):
    STARTS_ON_CALL = "call"  # calling it starts worker processes
    STARTS_ON_START = "start"  # a class whose instances start a process on .start()
    STARTS_ON_ITER = "iter"  # creating it starts nothing; iterating it starts workers
    STARTS_DECORATED = "decorated"  # a decorator: calling the decorated function starts a process
    CONTEXT = "context"  # returns a context object carrying the same API
    SETUP = "setup"  # start-method set-up that belongs under the guard (GF003)
    BACKEND = "backend"  # a context manager that selects a process backend for what runs inside
    ITERATES_GIVEN = "iterates"  # starts nothing itself; iterates the DataLoaders it is given


class Condition(enum.Enum):
    ALWAYS = "always"
    MP_BACKEND = "with backend='multiprocessing' (argument or parallel_backend block)"
    HAS_WORKERS = "with num_workers > 0"
    DASK_PROCESSES = "unless processes=False or an existing scheduler address is given"
    SCHEDULER_PROCESSES = "with scheduler='processes'"
    SEVERAL_CORES = "unless cores=1 or chains=1"
    ASYNCHRONOUS = "unless asynchronous=False"
    PARALLEL = "unless parallel=False (in the call or the constructor)"
    FUTURES_EXECUTOR = "with executor=futures_executor / FuturesExecutor"
    WORKERS_GIVEN = "with workers= other than 1 or None (an int, -1 for every CPU)"
    NUM_PROC_GIVEN = "with num_proc= given (not None or 0)"
    LOADER_GIVEN = "when a DataLoader with num_workers > 0 reaches it"
    ARGS_WORKERS = "when the Trainer was given TrainingArguments(dataloader_num_workers > 0)"


@dataclass(frozen=True)
class Target:
    qualname: str
    kind: Kind
    why: str
    condition: Condition = Condition.ALWAYS
    library: str = ""
    context_module: str = ""  # for CONTEXT: the module whose API the context mirrors
    mirrors: str = ""  # "multiprocessing" for forks of its API (multiprocess, billiard, ...)

    @property
    def label(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


_POOL = "starts worker processes at once; under spawn each worker re-imports the script and the pool hangs"
_PROCESS = "start() launches a child that re-imports the script under spawn and forkserver"
_MANAGER = "starts a manager server process; under spawn it fails with EOFError"
_EXECUTOR = "its workers re-import the script under spawn; results fail with BrokenProcessPool"
_SETUP = "re-run by every child; set_start_method without force=True fails there ('context has already been set')"
_FREEZE = "belongs on the first line under the guard for frozen Windows executables"
_PRELOAD = "forkserver set-up: re-run by every child, it belongs under the guard"
_CONTEXT = "a context object carries Process, Pool and Manager with the same behaviour"


def _multiprocessing_like(module: str, library: str) -> list[Target]:
    """The multiprocessing API as re-exported by a module (the stdlib, or a fork of it)."""
    mirrors = "" if module == "multiprocessing" else "multiprocessing"
    rows = [
        ("Pool", Kind.STARTS_ON_CALL, _POOL),
        ("pool.Pool", Kind.STARTS_ON_CALL, _POOL),
        ("Manager", Kind.STARTS_ON_CALL, _MANAGER),
        ("Process", Kind.STARTS_ON_START, _PROCESS),
        ("process.BaseProcess", Kind.STARTS_ON_START, _PROCESS),
        ("context.Process", Kind.STARTS_ON_START, _PROCESS),
        ("context.SpawnProcess", Kind.STARTS_ON_START, _PROCESS),
        ("context.ForkServerProcess", Kind.STARTS_ON_START, _PROCESS),
        ("managers.SyncManager", Kind.STARTS_ON_START, _MANAGER),
        ("managers.BaseManager", Kind.STARTS_ON_START, _MANAGER),
        ("get_context", Kind.CONTEXT, _CONTEXT),
        ("context.get_context", Kind.CONTEXT, _CONTEXT),
        ("set_start_method", Kind.SETUP, _SETUP),
        ("set_forkserver_preload", Kind.SETUP, _PRELOAD),
        ("freeze_support", Kind.SETUP, _FREEZE),
    ]
    return [
        Target(
            f"{module}.{name}", kind, why, library=library, mirrors=mirrors,
            context_module=module if kind is Kind.CONTEXT else "",
        )
        for name, kind, why in rows
    ]


TARGETS: tuple[Target, ...] = (
    *_multiprocessing_like("multiprocessing", "multiprocessing"),
    Target("concurrent.futures.ProcessPoolExecutor", Kind.STARTS_ON_CALL, _EXECUTOR, library="concurrent.futures"),
    Target("concurrent.futures.process.ProcessPoolExecutor", Kind.STARTS_ON_CALL, _EXECUTOR, library="concurrent.futures"),
    # --- third party: detection is static, the libraries need not be installed ----------
    Target(
        "joblib.Parallel", Kind.STARTS_ON_CALL,
        "the multiprocessing backend starts a multiprocessing.Pool (the default loky backend does not re-import the script)",
        Condition.MP_BACKEND, library="joblib",
    ),
    Target("joblib.parallel.Parallel", Kind.STARTS_ON_CALL, "same as joblib.Parallel", Condition.MP_BACKEND, library="joblib"),
    Target("joblib.parallel_backend", Kind.BACKEND, "selects the backend of Parallel calls inside the block", library="joblib"),
    Target("joblib.parallel_config", Kind.BACKEND, "selects the backend of Parallel calls inside the block", library="joblib"),
    Target(
        "torch.multiprocessing.spawn", Kind.STARTS_ON_CALL,
        "starts processes that re-import the script; fails unguarded even under fork", library="torch",
    ),
    Target(
        "torch.multiprocessing.start_processes", Kind.STARTS_ON_CALL,
        "starts processes that re-import the script; fails unguarded even under fork", library="torch",
    ),
    *_multiprocessing_like("torch.multiprocessing", "torch"),
    Target(
        "torch.utils.data.DataLoader", Kind.STARTS_ON_ITER,
        "iterating a loader with worker processes starts them (creating it starts nothing)",
        Condition.HAS_WORKERS, library="torch",
    ),
    Target(
        "torch.utils.data.dataloader.DataLoader", Kind.STARTS_ON_ITER,
        "same as torch.utils.data.DataLoader", Condition.HAS_WORKERS, library="torch",
    ),
    Target(
        "dask.distributed.Client", Kind.STARTS_ON_CALL,
        "starts a local cluster of worker processes ('Nanny failed to start' even under fork)",
        Condition.DASK_PROCESSES, library="dask",
    ),
    Target("distributed.Client", Kind.STARTS_ON_CALL, "same as dask.distributed.Client", Condition.DASK_PROCESSES, library="dask"),
    Target(
        "dask.distributed.LocalCluster", Kind.STARTS_ON_CALL,
        "starts worker processes ('Nanny failed to start' even under fork)", Condition.DASK_PROCESSES, library="dask",
    ),
    Target("distributed.LocalCluster", Kind.STARTS_ON_CALL, "same as dask.distributed.LocalCluster", Condition.DASK_PROCESSES, library="dask"),
    Target(
        "dask.compute", Kind.STARTS_ON_CALL, "the processes scheduler runs tasks in a process pool (BrokenProcessPool)",
        Condition.SCHEDULER_PROCESSES, library="dask",
    ),
    *_multiprocessing_like("multiprocess", "multiprocess"),
    *_multiprocessing_like("billiard", "billiard"),
    Target("pathos.multiprocessing.ProcessingPool", Kind.STARTS_ON_CALL, _POOL, library="pathos"),
    Target("pathos.multiprocessing.ProcessPool", Kind.STARTS_ON_CALL, _POOL, library="pathos"),
    Target("pathos.pools.ProcessPool", Kind.STARTS_ON_CALL, _POOL, library="pathos"),
    Target("pathos.pools._ProcessPool", Kind.STARTS_ON_CALL, _POOL, library="pathos"),
    Target("pathos.pools.ParallelPool", Kind.STARTS_ON_CALL, "starts ppft worker servers that re-import the script", library="pathos"),
    Target("pebble.ProcessPool", Kind.STARTS_ON_CALL, _POOL, library="pebble"),
    Target("pebble.pool.ProcessPool", Kind.STARTS_ON_CALL, _POOL, library="pebble"),
    Target(
        "pebble.concurrent.process", Kind.STARTS_DECORATED,
        "each call of the decorated function runs it in a new process", library="pebble",
    ),
    Target(
        "mpire.WorkerPool", Kind.STARTS_ON_CALL,
        "hangs under the spawn and forkserver start methods (fork is its default only where available)",
        library="mpire",
    ),
    Target(
        "tqdm.contrib.concurrent.process_map", Kind.STARTS_ON_CALL,
        "runs the function in a ProcessPoolExecutor", library="tqdm",
    ),
)

BY_QUALNAME: dict[str, Target] = {t.qualname: t for t in TARGETS}

#: get_context() with this literal never re-imports the main module, so it is not a finding.
NON_REIMPORTING_METHODS = frozenset({"fork"})

#: Calls that hand back what they are given, to be iterated later: iterating the result
#: iterates the argument (a progress bar over a DataLoader starts its workers when the loop
#: runs, not when the bar is made).
ITERABLE_WRAPPERS = frozenset(
    {"tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.autonotebook.tqdm", "tqdm.notebook.tqdm", "tqdm.std.tqdm",
     "tqdm.rich.tqdm", "tqdm.tqdm_notebook", "rich.progress.track"}
)

#: Built-ins that call ``iter()`` on arguments at once (``enumerate(loader)`` starts a
#: DataLoader's workers, even before the loop runs): name -> (first such positional
#: argument, whether every later one is iterated too).
ITERATING_BUILTINS = {
    "iter": (0, False), "next": (0, False), "list": (0, False), "tuple": (0, False), "set": (0, False),
    "sorted": (0, False), "enumerate": (0, False), "reversed": (0, False), "filter": (1, False),
    "zip": (0, True), "map": (1, True),
}

#: Calls whose result calls the first argument (``partial(run, 4)()`` calls ``run``).
CALLABLE_WRAPPERS = frozenset({"functools.partial"})

#: Template methods of the standard library: a method of these bases calls methods that a
#: subclass may override, so calling it on a subclass runs the subclass's code (a
#: ``unittest.TestProgram`` subclass runs its own ``runTests`` when it is constructed).
#: ``base.method`` -> what it calls: ``"name"`` a method of ``self``, ``"attr.name"`` a
#: method of what ``self.attr`` holds (an instance, or a class it instantiates), ``"0"`` its
#: first argument (``TextTestRunner.run(test)`` calls ``test(result)``).
TEMPLATE_METHODS: dict[str, tuple[str, ...]] = {}
for _program in ("unittest.main", "unittest.TestProgram", "unittest.main.TestProgram"):
    TEMPLATE_METHODS[f"{_program}.__init__"] = ("parseArgs", "createTests", "runTests")
    TEMPLATE_METHODS[f"{_program}.parseArgs"] = ("createTests",)
    TEMPLATE_METHODS[f"{_program}.runTests"] = ("testRunner.run",)
for _runner in ("unittest.TextTestRunner", "unittest.runner.TextTestRunner"):
    TEMPLATE_METHODS[f"{_runner}.run"] = ("0",)
# Running a test case (what a suite does with each of its tests) runs its fixtures and its
# test methods: ``"test*"`` is every method whose name starts with ``test`` (the loaders'
# default prefix).  The class fixtures are run by the suite around it.
for _case in ("unittest.TestCase", "unittest.case.TestCase"):
    TEMPLATE_METHODS[f"{_case}.run"] = ("setUpClass", "setUp", "test*", "tearDown", "tearDownClass")
    TEMPLATE_METHODS[f"{_case}.__call__"] = ("run",) + TEMPLATE_METHODS[f"{_case}.run"]
# Command-line runners call what they are given at once, in the process that imports the
# script: ``fire.Fire(main)`` runs ``main()`` (a class: its constructor and the method the
# command line names; a dict: the value it names), as do absl's ``app.run(main)``,
# ``typer.run``, ``tyro.cli``, jsonargparse's ``CLI``, ``defopt.run``, ``plac.call``,
# ``clize.run`` and argh's ``dispatch_command``.  Each was run here with a ``main`` that
# opens a Pool: under spawn and forkserver the child re-imports the script, the runner
# calls ``main`` again there, and it fails with the bootstrapping error (fire 0.7, absl-py
# 2.5, typer 0.29, tyro 1.0, jsonargparse 4.53, defopt 7.0, plac 1.4, clize 5.0, argh 0.31).
CLI_RUNNERS = (
    "fire.Fire", "fire.core.Fire", "absl.app.run", "typer.run", "typer.main.run", "tyro.cli",
    "jsonargparse.CLI", "jsonargparse.cli.CLI", "defopt.run", "plac.call", "clize.run",
    "argh.dispatch_command", "argh.dispatch_commands", "argh.dispatching.dispatch_command",
    "argh.dispatching.dispatch_commands",
)
for _runner in CLI_RUNNERS:
    TEMPLATE_METHODS[_runner] = ("0",)

# A thread subclass's start() runs its run() override in this process.
TEMPLATE_METHODS["threading.Thread.start"] = ("run",)

#: Calls that run a function they are given in this process (a thread, or at once), so a
#: process start inside it happens while the script is imported, as if called directly:
#: qualname -> (position, keyword) of that function.  ``Thread(target=run_pool).start()``
#: at module level runs the pool while a spawn child imports the script too (checked
#: here: the child's thread fails with the bootstrapping error).
RUNS_ARGUMENT = {
    "threading.Thread": (1, "target"),
    "threading.Timer": (1, "function"),
    "map": (0, None),
    "filter": (0, None),
    "itertools.starmap": (0, None),
    "functools.reduce": (0, None),
}
#: Pools of threads: their methods run the function given first in this process.
THREAD_POOLS = frozenset(
    {"concurrent.futures.ThreadPoolExecutor", "concurrent.futures.thread.ThreadPoolExecutor",
     "multiprocessing.pool.ThreadPool", "multiprocessing.dummy.Pool"}
)
THREAD_POOL_METHODS = frozenset(
    {"submit", "map", "apply", "apply_async", "map_async", "imap", "imap_unordered", "starmap", "starmap_async"}
)
del _program, _runner, _case

#: The standard library's test case base: ``test_hooks`` asks whether a class derives from it.
TEST_CASE = "unittest.TestCase"
TEST_CASE_BASES = frozenset({"unittest.TestCase", "unittest.case.TestCase"})

#: Calls that build a test suite of their first argument: ``"case"`` a TestCase class (a
#: test per test method), ``"tests"`` an iterable of tests (TestCase instances, suites).
#: Running the suite (``TextTestRunner.run(suite)``) runs those tests.
SUITE_BUILDERS = {
    **dict.fromkeys(
        ("unittest.TestLoader.loadTestsFromTestCase", "unittest.loader.TestLoader.loadTestsFromTestCase",
         "unittest.defaultTestLoader.loadTestsFromTestCase", "unittest.makeSuite", "unittest.loader.makeSuite"),
        "case",
    ),
    **dict.fromkeys(("unittest.TestSuite", "unittest.suite.TestSuite"), "tests"),
}

#: Called directly, these load the tests of the module their ``module`` argument names
#: (by default ``"__main__"``: the script that calls them) and run them.
TEST_PROGRAMS = frozenset({"unittest.main", "unittest.TestProgram", "unittest.main.TestProgram"})

#: ``DataLoader(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, ...)``.
NUM_WORKERS_POSITION = 5

#: Names whose module-level copies are per child under spawn (used by the GF101 warning).
SYNC_PRIMITIVES = frozenset(
    {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event", "Barrier",
     "Queue", "JoinableQueue", "SimpleQueue", "Value", "Array", "Pipe"}
)


def extra_target(qualname: str) -> Target:
    """A user-declared spawner (``extra-spawners``): calling it starts processes."""
    return Target(qualname, Kind.STARTS_ON_CALL, "declared as a spawner in the configuration", library="(configured)")


_VEC_ENV = (
    "its constructor starts one worker process per environment, with forkserver or spawn unless "
    "start_method says otherwise: each re-imports the script (checked with stable-baselines3 2.9; "
    "stable-baselines 2 has the same constructor); not installed here, so known by name"
)
_ASYNC_ENV = (
    "its constructor starts one worker process per environment; under spawn and forkserver each "
    "re-imports the script (checked with gymnasium 1.4); not installed here, so known by name"
)
_SAMPLE = (
    "samples the chains in worker processes when there are several cores and chains (the "
    "default): under spawn and forkserver each re-imports the script (checked with pymc 5.28); "
    "not installed here, so known by name"
)
_GYM_ASYNC = (
    "its constructor starts one worker process per environment; under spawn and forkserver each "
    "re-imports the script (checked with gym 0.26.2); not installed here, so known by name"
)
_GYM_MAKE = (
    "builds an AsyncVectorEnv unless asynchronous=False (the default is True from gym 0.15 to "
    "0.26): one worker process per environment, each re-imports the script under spawn and "
    "forkserver (checked with gym 0.26.2); not installed here, so known by name"
)
_PARALLEL_ENV = (
    "starts one Process per environment after the first (the A2C and PPO constructors build "
    "one): under spawn and forkserver each re-imports the script (checked with torch-ac 1.1.0 "
    "and 1.3.0; 1.4.0 sets the fork start method when imported); not installed here, so known "
    "by name"
)
_BKT = (
    "in the pure-Python build (what an install from source gives) every E-step opens a Pool "
    "unless parallel=False: under spawn each worker re-runs the script (checked with pyBKT "
    "1.4.3); not installed here, so known by name"
)
_COFFEA = (
    "the futures executor runs the chunks in a ProcessPoolExecutor (its default pool): under "
    "spawn and forkserver the workers re-import the script (checked with coffea 0.7.22); not "
    "installed here, so known by name"
)
#: Per library (or per qualified name, which wins): why, and when it starts processes.
# --- scipy (absentH) ---
_MAP_WRAPPER = (
    "with an int workers= other than 1 (-1: every CPU) it maps the function over a "
    "multiprocessing Pool, with forkserver where no start method is set: under spawn and "
    "forkserver each worker re-imports the script, and even with the interpreter's default "
    "the forkserver re-runs the module level (checked with scipy 1.17.1); not installed here, "
    "so known by name"
)
# --- end scipy ---
# --- datasets (absentH) ---
_NUM_PROC = (
    "with num_proc= (1 or more in datasets 5.2; more than 1 in older releases) it maps over "
    "a Pool of the multiprocess package, whose start method is its own: under spawn and "
    "forkserver each worker re-imports the script (checked with datasets 5.2.0 and "
    "multiprocess 0.70.19); not installed here, so known by name, as a method of what "
    "load_dataset, load_from_disk or a Dataset.from_* constructor returns"
)
# --- end datasets ---
_WHY_ABSENT = {
    "stable_baselines3": (_VEC_ENV, Condition.ALWAYS),
    "stable_baselines": (_VEC_ENV, Condition.ALWAYS),
    "gymnasium": (_ASYNC_ENV, Condition.ALWAYS),
    "pymc": (_SAMPLE, Condition.SEVERAL_CORES),
    "gym": (_GYM_ASYNC, Condition.ALWAYS),
    "gym.vector.make": (_GYM_MAKE, Condition.ASYNCHRONOUS),
    "torch_ac": (_PARALLEL_ENV, Condition.ALWAYS),
    "pyBKT": (_BKT, Condition.PARALLEL),
    "coffea": (_COFFEA, Condition.FUTURES_EXECUTOR),
    # --- scipy (absentH) ---
    "scipy": (_MAP_WRAPPER, Condition.WORKERS_GIVEN),
    # --- end scipy ---
    # --- datasets (absentH) ---
    "datasets": (_NUM_PROC, Condition.NUM_PROC_GIVEN),
    # --- end datasets ---
}
# --- PyTorch Lightning (a block of its own) --------------------------------------------------
_TRAINER_ITERATES = (
    "iterates the DataLoaders it is given (directly, from a datamodule's or the model's "
    "*_dataloader() methods): a loader with worker processes starts them, and under spawn and "
    "forkserver each re-imports the script (checked with lightning 2.6.6); not installed here, so "
    "known by name"
)
_WHY_ABSENT.update({
    "lightning": (_TRAINER_ITERATES, Condition.LOADER_GIVEN),
    "pytorch_lightning": (_TRAINER_ITERATES, Condition.LOADER_GIVEN),
})
#: The loader methods of a LightningModule or LightningDataModule that each Trainer method
#: calls and iterates (a fit runs the validation loop too).
TRAINER_LOADER_HOOKS = {
    "fit": ("train_dataloader", "val_dataloader"),
    "validate": ("val_dataloader",),
    "test": ("test_dataloader",),
    "predict": ("predict_dataloader",),
}
# --- end of PyTorch Lightning ------------------------------------------------------------------
# --- Hugging Face transformers (a block of its own) ------------------------------------------
_HF_TRAINER = (
    "builds and iterates DataLoaders with TrainingArguments.dataloader_num_workers worker processes: "
    "under spawn and forkserver each re-imports the script (checked with transformers 5.17); not "
    "installed here, so known by name"
)
_WHY_ABSENT["transformers"] = (_HF_TRAINER, Condition.ARGS_WORKERS)
# --- end of Hugging Face transformers ----------------------------------------------------------
#: What a spawner of ``sites.SPAWNERS_WHEN_ABSENT`` does, when the run catalogues it because
#: its library is installed nowhere imports resolve.
WHEN_ABSENT: dict[str, Target] = {
    qualname: Target(qualname, Kind.STARTS_ON_CALL, *_WHY_ABSENT.get(qualname, _WHY_ABSENT[top]), library=top)
    for top, qualnames in SPAWNERS_WHEN_ABSENT.items()
    for qualname in qualnames
}
#: Futures executors of coffea (a function in early 0.7 releases, a class later): an
#: executor= or pre_executor= naming one makes ``run_uproot_job`` and a ``Runner`` start processes.
COFFEA_FUTURES_EXECUTORS = frozenset(
    f"coffea.processor.{module}{name}"
    for module in ("", "executor.")
    for name in ("futures_executor", "FuturesExecutor")
)
# --- PyTorch Lightning (a block of its own): its Trainer methods iterate, they do not spawn ---
for _top in ("lightning", "pytorch_lightning"):
    for _qualname in SPAWNERS_WHEN_ABSENT[_top]:
        WHEN_ABSENT[_qualname] = Target(
            _qualname, Kind.ITERATES_GIVEN, _WHY_ABSENT[_top][0], _WHY_ABSENT[_top][1], library=_top
        )
del _top, _qualname
# --- end of PyTorch Lightning ------------------------------------------------------------------


def build_catalogue(extra: tuple[str, ...] = ()) -> dict[str, Target]:
    """The catalogue, extended with user-declared spawners (and the spawners of absent
    libraries, ``WHEN_ABSENT``, when the run names them)."""
    catalogue = dict(BY_QUALNAME)
    for qualname in extra:
        catalogue.setdefault(qualname, WHEN_ABSENT.get(qualname) or extra_target(qualname))
    return catalogue


def prefilter_tokens(extra: tuple[str, ...] = ()) -> tuple[tuple[bytes, tuple[bytes, ...]], ...]:
    """What a file's bytes must contain for it to start processes by itself: per catalogued
    library, its top-level package name (every import path spells it) together with one of
    the names it exports that start processes (every use spells it, aliases included, since
    the import line names it).  ``(b"multiprocessing", (b"Pool", b"Process", ...))``."""
    groups: dict[str, set[str]] = {}
    for qualname in [t.qualname for t in TARGETS] + list(extra):
        root, _, rest = qualname.partition(".")
        leaves = rest.rsplit(".", 2)
        # Runner.__call__: a call of the instance spells the class where it is made
        leaf = leaves[-2] if leaves[-1] == "__call__" and len(leaves) > 1 else leaves[-1]
        groups.setdefault(root, set()).add(leaf or root)
    groups.setdefault("dask", set()).update({"compute", "persist"})  # x.compute(scheduler="processes")
    return tuple(
        (root.encode(), tuple(sorted(leaf.encode() for leaf in leaves)))
        for root, leaves in sorted(groups.items())
    )


PREFILTER_TOKENS = prefilter_tokens()


def mentions_tokens(data: bytes, groups: tuple = ()) -> bool:
    """``fixer.facts.mentions_tokens``, by default with the catalogue's prefilter tokens."""
    return facts.mentions_tokens(data, groups or PREFILTER_TOKENS)


def mentions_spawner_of(data: bytes, root: str, groups: tuple = ()) -> bool:
    """``fixer.facts.mentions_spawner_of``, by default with the catalogue's prefilter tokens."""
    return facts.mentions_spawner_of(data, root, groups or PREFILTER_TOKENS)


def names_process_api(data: bytes, top: str, groups: tuple = ()) -> bool:
    """``fixer.facts.names_process_api`` with the catalogue (and by default its tokens)."""
    return facts.names_process_api(data, top, groups or PREFILTER_TOKENS, _CATALOGUE_ROOTS)


def names_no_process_api(extra_spawners: tuple = ()) -> "Callable[[str, bytes], bool]":
    """``fixer.cache.plan_reuse``'s ``settle``: whether the file (real path, bytes) still
    names no process API, under the prefilter of a run with ``extra_spawners``."""
    tokens = prefilter_tokens(tuple(extra_spawners))
    return lambda real, data: not names_process_api(data, top_package(real), tokens)


def library_names() -> frozenset:
    """The top-level names of the catalogued libraries."""
    return _CATALOGUE_ROOTS


def star_names(module: str, catalogue: dict[str, Target] | None = None) -> dict[str, str]:
    """Catalogue names that ``from module import *`` binds, mapped to their qualified names."""
    prefix = module + "."
    return {
        t.qualname[len(prefix):]: t.qualname
        for t in (catalogue or BY_QUALNAME).values()
        if t.qualname.startswith(prefix)
        and "." not in t.qualname[len(prefix):]
        and not t.qualname[len(prefix):].startswith("_")
    }


def is_catalogue_module(qualname: str) -> bool:
    """True when ``qualname`` lies inside a catalogued library (never resolved to project files)."""
    return qualname.split(".", 1)[0] in _CATALOGUE_ROOTS


_CATALOGUE_ROOTS = frozenset(t.qualname.split(".", 1)[0] for t in TARGETS)


def catalogue_table() -> str:
    """The README's "what is detected" table, generated from the catalogue."""
    rows = ["| API | starts processes | why |", "|---|---|---|"]
    mirrored: list[str] = []
    for t in TARGETS:
        if t.mirrors:
            if t.qualname.endswith(".Pool") and not t.qualname.endswith(".pool.Pool"):
                mirrored.append(t.qualname[: -len(".Pool")])
            continue
        if t.kind is Kind.CONTEXT and t.qualname.endswith("context.get_context"):
            continue
        when = {
            Kind.STARTS_ON_CALL: "when called",
            Kind.STARTS_ON_START: "on `.start()`",
            Kind.STARTS_ON_ITER: "when iterated",
            Kind.STARTS_DECORATED: "when a decorated function is called",
            Kind.CONTEXT: "its `Pool`/`Process`/`Manager`",
            Kind.SETUP: "no (GF003: belongs under the guard)",
            Kind.BACKEND: "selects the backend inside the block",
        }[t.kind]
        if t.condition is not Condition.ALWAYS:
            when += f", {t.condition.value}"
        rows.append(f"| `{t.qualname}` | {when} | {t.why} |")
    for module in mirrored:
        rows.append(
            f"| `{module}.*` | as the same names in `multiprocessing` | a fork or re-export of the "
            "multiprocessing API, with the same behaviour |"
        )
    return "\n".join(rows) + "\n"
