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

import os
import signal
import sys
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Sequence, Tuple

from fixer.cache import Cache, Manifest, Stamp, plan_reuse, result_from_json, result_to_json, run_key
from fixer.discover import real_path
from fixer.model import FileResult, Options, Status
from fixer.targets import build_catalogue, prefilter_tokens

if TYPE_CHECKING:
    import multiprocessing.context

#: Below this many files to analyse, starting workers costs more than it saves.
MIN_FILES_FOR_POOL = 48
#: Chunks per worker: enough to balance the load, few enough to share each worker's memo.
CHUNKS_PER_WORKER = 4


@dataclass
class RunStats:
    """What the run did, for the summary."""

    cached: int = 0  # results reused from the cache
    analysed: int = 0  # results computed in this run
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
    stats: RunStats = field(default_factory=RunStats)

    def run(self) -> Iterator[FileResult]:
        realpaths = [real_path(path) for path, _ in self.candidates]
        cache: Optional[Cache] = None
        old: Optional[Manifest] = None
        reuse: Dict[str, dict] = {}
        if self.cache_dir is not None:
            cache = Cache(self.cache_dir, run_key(self.options, self.cwd, self.roots))
            old = cache.load()
            reuse, self.stats.cache_note = plan_reuse(old, realpaths)
        todo: List[int] = []
        for index, real in enumerate(realpaths):
            cached = reuse.get(real)
            if cached is None or (self.need_sources and Status(cached["status"]).has_fix):
                todo.append(index)
        todo_set = set(todo)
        computed = self._compute([self.candidates[i] for i in todo])
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
                    new.stamps[real] = old.stamps[real]
                    new.results[real] = reuse[real]
                yield result
            next(computed, None)  # let the pool shut down in order
        finally:
            computed.close()
        if cache is not None and complete and not (old is not None and self.stats.analysed == 0):
            # (a run that reused every result has nothing new to record)
            if old is not None and self.stats.cached:
                for real, stamp in old.modules.items():  # reused results still rest on them
                    new.modules.setdefault(real, stamp)
            cache.save(new)
            self.stats.cache_warning = cache.warning

    # ----- computing results ----------------------------------------------------------------
    def _compute(self, items: List[Tuple[Path, str]]) -> Iterator[Tuple[FileResult, Optional[Stamp], Dict[str, Stamp]]]:
        """Results for ``items``, in order.

        Large runs go to a pool of workers in contiguous chunks of the sorted list: the
        files of one package mostly land in one worker, whose view of the project then
        answers their cross-module questions once for all of them (smaller chunks would make
        every worker explore the same imports again; one chunk per worker would leave some
        idle while the last chunk runs).
        """
        if not items:
            return
        files = [path for path, _ in self.candidates]
        if self.jobs < 2 or len(items) < MIN_FILES_FOR_POOL:
            _init_worker(files, self.options, self.cwd, self.need_sources, in_process=True)
            try:
                for item in items:
                    yield _work(item)
            finally:
                _WORKER.clear()
            return
        from concurrent.futures import ProcessPoolExecutor  # (only large runs pay for the import)

        import fixer.pipeline  # noqa: F401 -- loaded once here, inherited by forked workers
        import fixer.project  # noqa: F401

        jobs = self.jobs
        self.stats.workers = jobs
        chunk = max(1, len(items) // (jobs * CHUNKS_PER_WORKER))
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=_pool_context(),
            initializer=_init_worker,
            initargs=(files, self.options, self.cwd, self.need_sources),
        )
        try:
            yield from pool.map(_work, items, chunksize=chunk)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            pool.shutdown(wait=True)


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


def _init_worker(files: List[Path], options: Options, cwd: Path, need_sources: bool, in_process: bool = False) -> None:
    from fixer.project import Project  # (a run answered from the cache never loads the analysis)

    if not in_process:
        # Ctrl-C reaches the whole process group: the parent alone decides what to do.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["project"] = Project(
        files=files,
        catalogue=build_catalogue(options.extra_spawners),
        tokens=prefilter_tokens(options.extra_spawners),
        cwd=cwd,
    )
    _WORKER["options"] = options
    _WORKER["need_sources"] = need_sources
    _WORKER["reported"] = 0


def _work(item: Tuple[Path, str]) -> Tuple[FileResult, Optional[Stamp], Dict[str, Stamp]]:
    """Process one file; also its stamp, and the modules read for the first time."""
    from fixer.pipeline import process_file

    path, display = item
    project = _WORKER["project"]
    before = Stamp.stat(path)  # taken before reading: an edit during the run shows next time
    result = process_file(path, _WORKER["options"], display, project)
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
