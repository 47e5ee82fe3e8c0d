"""Running the pipeline over many files: cached results, a process pool, ordered results.

``run`` yields one ``FileResult`` per candidate, in the candidates' order, whatever the
number of workers: results are produced in parallel but handed out in order (the same
output as ``--jobs 1``).  Results stream: a file's bytes are kept only when it has a fix to
show or write.

Reused results come from the cache (``fixer.cache``); the rest are computed by
``process_file`` -- in this process for small batches, else in a pool of worker processes,
each with its own view of the project (cross-module analysis is per worker).

guardfix starts processes itself, so it follows its own advice: nothing here runs at import
time, and workers are never forked from a process that runs threads (see ``_pool_context``).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from fixer.cache import Cache, Manifest, Stamp, plan_reuse, result_from_json, result_to_json, run_key
from fixer.discover import Coverage, real_path
from fixer.libstore import LibraryAnswers, collect, open_store
from fixer.model import PREFILTER_REASON, FileResult, Options, Status
from fixer.targets import build_catalogue, library_names, names_no_process_api, prefilter_tokens

if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import ProcessPoolExecutor

    from fixer.project import Project
    from fixer.roots import SearchSettings
    from fixer.triage import Triage

#: Below this many files, or this many bytes, to analyse, starting workers costs more than
#: it saves (a worker starts in ~10 ms; CPython parses ~4 MB/s into a syntax tree).
MIN_FILES_FOR_POOL = 4
MIN_BYTES_FOR_POOL = 128 * 1024
#: From this many files, the triage reads them in parallel (forked workers only).
MIN_FILES_FOR_PARALLEL_READ = 400
#: The garbage collector's thresholds during a run.  Syntax trees are large, acyclic and
#: short-lived: with the default thresholds the collector runs every 700 new nodes and walks
#: everything alive, which made parsing twice as slow.  Cycles are still collected.
GC_THRESHOLDS = (50_000, 20, 100)
#: Batches per worker: enough to balance the load, few enough to keep messages few.
BATCHES_PER_WORKER = 32


@dataclass
class RunStats:
    """What the run did, for the summary."""

    cached: int = 0  # results reused from the cache
    analysed: int = 0  # results computed in this run
    parsed: int = 0  # ... of which the triage sent to the analysis (the rest it settled)
    workers: int = 0  # worker processes used (0: all in this process)
    cache_note: str = ""  # why the cache was not (fully) used
    cache_warning: str = ""


@dataclass
class Runner:
    candidates: Sequence[Tuple[Path, str]]  # (path, display), in output order
    options: Options
    jobs: int = 1
    cache_dir: Optional[Path] = None  # None: no cache
    need_sources: bool = True  # diff / write / review need the rewrite itself
    cwd: Path = field(default_factory=Path.cwd)
    roots: Sequence[str] = ()
    #: Where discovery looked (None: nowhere known, so every import may reach an unseen module).
    coverage: Optional[Coverage] = None
    stats: RunStats = field(default_factory=RunStats)
    _worth: List[str] = field(default_factory=list, repr=False)  # files that could start processes
    _named: Set[int] = field(default_factory=set, repr=False)  # files other files' imports name
    _inert: Set[int] = field(default_factory=set, repr=False)  # files the triage left out on their bytes alone
    #: (project, triage) made before the cache's reuse was decided (``_triage_agrees``).
    _prepared: tuple = field(default=(), repr=False)
    #: (store, answers it held, the run's project) for installed modules' answers.
    _library: tuple = field(default=(None, None, None), repr=False)

    def run(self) -> Iterator[FileResult]:
        realpaths = [real_path(path) for path, _ in self.candidates]
        cache: Optional[Cache] = None
        old: Optional[Manifest] = None
        reuse: Dict[str, dict] = {}
        restamped: Dict[str, Stamp] = {}
        if self.cache_dir is not None:
            cache = Cache(self.cache_dir, run_key(self.options, self.cwd, self.roots))
            old = cache.load()
            settle = names_no_process_api(tuple(self.options.extra_spawners))
            reuse, self.stats.cache_note, restamped, retriage = plan_reuse(old, realpaths, settle=settle)
            if retriage and not self._triage_agrees(old, realpaths):
                reuse, restamped = {}, {}
                self.stats.cache_note = f"{sorted(retriage)[0]} changed, and with it what some file can start"
        todo: List[int] = []
        for index, real in enumerate(realpaths):
            cached = reuse.get(real)
            if cached is None or (self.need_sources and Status(cached["status"]).has_fix):
                todo.append(index)
        todo_set = set(todo)
        computed = self._compute(todo, realpaths, old)
        new = Manifest()
        complete = True
        try:
            for index, ((path, display), real) in enumerate(zip(self.candidates, realpaths)):
                if index in todo_set:
                    result, stamp, read = next(computed)
                    new.modules.update(read)
                    self.stats.analysed += 1
                    if stamp is None:
                        complete = False  # unreadable: the next run must look again
                    else:
                        new.stamps[real] = stamp
                        new.results[real] = result_to_json(result)
                else:
                    assert old is not None
                    result = result_from_json(path, display, reuse[real])
                    self.stats.cached += 1
                    new.stamps[real] = restamped.get(real) or old.stamps[real]
                    new.results[real] = reuse[real]
                yield result
            next(computed, None)  # let the pool shut down in order
        finally:
            computed.close()
        if cache is not None and complete and not (old is not None and self.stats.analysed == 0 and not restamped):
            # (a run that reused every result unchanged has nothing new to record)
            if old is not None and self.stats.cached:
                for real, stamp in old.modules.items():  # reused results still rest on them
                    new.modules.setdefault(real, restamped.get(real) or stamp)
                new.worth = sorted(set(old.worth) | set(self._worth))
                new.named = set(old.named)
                # A file analysed again is no longer known to be inert (the triage did not see it).
                new.inert = {real for real in old.inert if real in restamped or real in reuse}
            else:
                new.worth = sorted(self._worth)
            new.named |= {realpaths[index] for index in self._named}
            new.inert |= {realpaths[index] for index in self._inert}
            tokens = prefilter_tokens(tuple(self.options.extra_spawners))
            new.prefilter = Manifest.prefilter_of(tokens, library_names())
            cache.save(new)
            self.stats.cache_warning = cache.warning
        if complete:
            self._save_library()

    def _save_library(self) -> None:
        """Store what this run learnt about installed modules (``fixer.libstore``)."""
        store, previous, project = self._library
        if store is None or project is None:
            return
        answers = collect(previous or LibraryAnswers(), *project.library_answers(),
                          project.modules_read, store.folders, (real_path(path) for path, _ in self.candidates))
        if answers is not None and len(answers) > len(previous or ()):
            store.save(answers)
            self.stats.cache_warning = self.stats.cache_warning or store.warning

    def _triage_agrees(self, old: Manifest, realpaths: List[str]) -> bool:
        """Triage the whole run again and say whether every file can start processes as
        the last run found (then a changed file that others import changed nobody else's
        result: no analysis read it, and what the others' triage and analysis knew of it,
        whether it can start processes, holds).  What the triage found is kept for the run."""
        project = self._project()
        triage = self._triage(project, realpaths)
        self._prepared = (project, triage)
        return {real for real, can in project.known.items() if can} == set(old.worth)

    def _project(self) -> "Project":
        from fixer.project import Project  # (a run answered from the cache never loads the analysis)

        files = [path for path, _ in self.candidates]
        catalogue, tokens = build_catalogue(self.options.extra_spawners), prefilter_tokens(self.options.extra_spawners)
        settings = search_settings(self.options)
        store = open_store(self.cache_dir, settings.environment.folders, settings.environment.hidden,
                           self.options.extra_spawners)
        library = store.load() if store is not None else None
        project = Project(files=files, catalogue=catalogue, tokens=tokens, cwd=self.cwd, settings=settings,
                          stamps=self.cache_dir is not None, library=library)
        self._library = (store, library, project)
        return project

    def _triage(self, project: "Project", realpaths: List[str]) -> "Triage":
        from fixer.triage import triage_files

        files = [path for path, _ in self.candidates]
        return triage_files(
            files, realpaths, self.coverage or Coverage(), project, prefilter_tokens(self.options.extra_spawners),
            stamps=self.cache_dir is not None, parallel=self._parallel_reader(len(files)),
        )

    # ----- computing results ----------------------------------------------------------------
    def _compute(
        self, todo: List[int], realpaths: List[str], old: Optional[Manifest]
    ) -> Iterator[Tuple[FileResult, Optional[Stamp], Dict[str, Stamp]]]:
        """Results for the candidates numbered ``todo``, in order.

        A run that analyses every file first triages them (``fixer.triage``): files that
        cannot start processes get their "skipped" result at once, and only the rest are
        analysed.  A run that reuses cached results analyses just the changed files; what
        the last triage found about the other files stands (the cache reuses results only
        when it cannot have changed).

        Analysis runs here for small batches, else in a pool of worker processes: files
        likely to need a rewrite first, then the largest (a long file started last would
        keep one worker busy while the others idle), results handed out in order.  Workers
        forked from this process inherit its view of the project, and so every answer the
        triage already found; workers started otherwise are told its answers.
        """
        if not todo:
            return
        previous = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            yield from self._compute_tuned(todo, realpaths, old)
        finally:
            gc.set_threshold(*previous)

    def _compute_tuned(
        self, todo: List[int], realpaths: List[str], old: Optional[Manifest]
    ) -> Iterator[Tuple[FileResult, Optional[Stamp], Dict[str, Stamp]]]:
        if self._prepared:
            project, triage = self._prepared
        else:
            project = self._project()
            triage = self._triage(project, realpaths) if len(todo) == len(self.candidates) else None
        settled: Dict[int, Tuple[FileResult, Optional[Stamp], Dict[str, Stamp]]] = {}
        if triage is not None:
            self._worth = [real for real, can in project.known.items() if can]
            self._named = triage.named
            self._inert = triage.inert
            send = [i for i in todo if i in triage.send]
            first = {self.candidates[i][0]: 1 for i in triage.reached}
            first.update((self.candidates[i][0], 0) for i in triage.likely_fixes)
            for index in todo:
                if index in triage.errors:
                    path, display = self.candidates[index]
                    settled[index] = (FileResult(path, display, Status.ERROR, reason=triage.errors[index]), None, {})
                elif index not in triage.send:
                    path, display = self.candidates[index]
                    settled[index] = (FileResult(path, display, Status.SKIPPED, reason=PREFILTER_REASON), triage.stamps[index], {})
            read = dict(project.modules_read)  # read by the triage: the results rest on them too
        else:
            assert old is not None
            worth = set(old.worth)
            project.known.update((real, real in worth) for real in old.stamps)
            self._worth = sorted(worth)
            send = list(todo)
            first = {}
            read = {}
        _WORKER.update(project=project, options=self.options, need_sources=self.need_sources,
                       reported=len(project.modules_read))
        self.stats.parsed = len(send)
        computed = self._analyse([self.candidates[i] for i in send], first)
        next(computed)  # workers start now, before a result is handed out and a progress bar starts a thread
        try:
            for index in todo:
                result, stamp, fresh = settled.pop(index) if index in settled else next(computed)
                if read:
                    fresh, read = {**read, **fresh}, {}
                yield result, stamp, fresh
            next(computed, None)  # let the pool shut down in order
        finally:
            computed.close()
            _WORKER.clear()

    def _parallel_reader(self, count: int) -> Optional[Callable[[Callable, list], Iterable]]:
        """A map over forked workers for the triage's reading, when worth it.  Only forked
        workers: they inherit what the triage has set up (the names it looks for), which
        other start methods would have to pickle for every chunk."""
        if self.jobs < 2 or count < MIN_FILES_FOR_PARALLEL_READ:
            return None
        context = _pool_context()
        if context.get_start_method() != "fork":
            return None

        def read_in_workers(function: Callable, chunks: list) -> Iterable:
            from concurrent.futures import ProcessPoolExecutor

            with _frozen_heap(), ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=context, initializer=_ignore_sigint
            ) as pool:
                return list(pool.map(function, chunks))

        return read_in_workers

    def _analyse(
        self, items: List[Tuple[Path, str]], first: Dict[Path, int]
    ) -> Iterator[Optional[Tuple[FileResult, Optional[Stamp], Dict[str, Stamp]]]]:
        """``_work`` on every item, results in the items' order; ``first``: items to start
        before the others, by rank (0 first).  The first value yielded is None, once the
        workers (if any) have started."""
        sizes = [_size(path) for path, _ in items]
        if self.jobs < 2 or len(items) < MIN_FILES_FOR_POOL or sum(sizes) < MIN_BYTES_FOR_POOL:
            yield None
            for item in items:
                yield _work(item)
            return
        from concurrent.futures import ProcessPoolExecutor  # (only large runs pay for the import)

        import fixer.pipeline  # noqa: F401 -- loaded once here, inherited by forked workers

        jobs = self.jobs
        self.stats.workers = jobs
        context = _pool_context()
        forked = context.get_start_method() == "fork"
        project = _WORKER["project"]
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_init_worker,
            initargs=(forked, [p for p, _ in self.candidates], self.options, self.cwd, self.need_sources,
                      None if forked else project.known, None if forked else project.import_index),
        )
        with _frozen_heap():
            yield from self._deal(pool, jobs, items, sizes, first)

    @staticmethod
    def _deal(
        pool: "ProcessPoolExecutor", jobs: int, items: List[Tuple[Path, str]], sizes: List[int], first: Dict[Path, int]
    ) -> Iterator[Optional[Tuple[FileResult, Optional[Stamp], Dict[str, Stamp]]]]:
        """Submit every item to ``pool`` (of ``jobs`` workers), yield None, then the results
        in the items' order."""
        try:
            # Likely rewrites first (the rewrite loads libcst), then the files that call into
            # the codebase's spawners, each group largest first, dealt round-robin into
            # batches: every batch holds a share of the large files, and there are enough
            # batches to keep every worker busy to the end.
            by_size = sorted(range(len(items)), key=lambda i: (first.get(items[i][0], 2), -sizes[i]))
            count = min(len(items), jobs * BATCHES_PER_WORKER)
            futures = {}
            for number in range(count):
                batch = by_size[number::count]
                future = pool.submit(_work_batch, [items[i] for i in batch])
                for position, i in enumerate(batch):
                    futures[i] = (future, position)
            yield None  # (the workers were forked at the first submit)
            for i in range(len(items)):
                future, position = futures.pop(i)
                yield future.result()[position]
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            pool.shutdown(wait=True)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """While workers are forked: objects alive now are inherited by them and live as long
    as the run, so no garbage collector need walk them again (nor copy their memory pages
    to do so)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _pool_context() -> "multiprocessing.context.BaseContext":
    """How workers start.  On Linux, ``fork``: the pool is created before this process
    starts any thread (the progress bar comes later), and a forked worker needs no imports.
    Elsewhere ``forkserver`` (macOS: forking a process that used system frameworks is
    unsafe) or ``spawn`` (Windows)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["fixer.runner"])
        return context
    return multiprocessing.get_context("spawn")


# ----- inside a worker -------------------------------------------------------------------------
_WORKER: dict = {}


def search_settings(options: Options) -> "SearchSettings":
    """Where imports resolve beyond each file's own folders, for a run with ``options``."""
    from fixer.roots import SearchSettings

    return options.search if options.search is not None else SearchSettings()


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group: the parent alone decides what to do.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _init_worker(forked: bool, files: List[Path], options: Options, cwd: Path, need_sources: bool,
                 known: Optional[dict], import_index: Optional[dict] = None) -> None:
    """A worker's view of the project: inherited when forked, else built again (with what
    the triage found)."""
    _ignore_sigint()
    gc.set_threshold(*GC_THRESHOLDS)
    if forked and _WORKER:
        return
    from fixer.project import Project

    project = Project(
        files=files,
        catalogue=build_catalogue(options.extra_spawners),
        tokens=prefilter_tokens(options.extra_spawners),
        cwd=cwd,
        settings=search_settings(options),
    )
    project.known.update(known or {})
    project.import_index = import_index
    _WORKER.update(project=project, options=options, need_sources=need_sources, reported=0)


def _work_batch(items: List[Tuple[Path, str]]) -> list:
    return [_work(item) for item in items]


def _work(item: Tuple[Path, str]) -> Tuple[FileResult, Optional[Stamp], Dict[str, Stamp]]:
    """Process one file; also its stamp, and the modules read for the first time."""
    from fixer.pipeline import process_file

    path, display = item
    project = _WORKER["project"]
    before = Stamp.stat(path)  # taken before reading: an edit during the run shows next time
    result = process_file(path, _WORKER["options"], display, project)
    project.trim()  # between files: other modules' trees are kept within a budget
    stamp = Stamp.of(path, result.old_source, before) if result.old_source is not None and before else None
    if result.status in (Status.ERROR,) and result.old_source is None:
        stamp = None  # unreadable: never cached
    if not (result.status.has_fix and _WORKER["need_sources"]):
        result = replace(result, old_source=None, new_source=None)  # nothing to show or write
    # modules_read only grows, in insertion order: report what was added since last time.
    known = _WORKER["reported"]
    fresh = dict(islice(project.modules_read.items(), known, None))
    _WORKER["reported"] = known + len(fresh)
    return result, stamp, fresh


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


__all__ = ["Runner", "RunStats", "default_jobs"]
