"""The catalogue of APIs that start processes: data only, each entry with a one-line why."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    STARTS_ON_CALL = "call"  # calling it starts worker processes
    STARTS_ON_START = "start"  # a class whose instances start a process on .start()
    CONTEXT = "context"  # returns a context object carrying the same API
    SETUP = "setup"  # start-method set-up that belongs under the guard (GF003)


@dataclass(frozen=True)
class Target:
    qualname: str
    kind: Kind
    why: str

    @property
    def label(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


_MP_POOL = "starts worker processes immediately; under spawn each worker re-imports the script and the pool hangs"
_MP_PROCESS = "start() launches a child that re-imports the script under spawn and forkserver"
_MANAGER = "starts a manager server process; under spawn it fails with EOFError"
_EXECUTOR = "its workers re-import the script under spawn; results fail with BrokenProcessPool"
_SETUP = "re-run by every child; set_start_method without force=True fails there ('context has already been set')"
_FREEZE = "belongs on the first line under the guard for frozen Windows executables"
_CONTEXT = "a context object carries Process, Pool and Manager with the same behaviour"

TARGETS: tuple[Target, ...] = (
    Target("multiprocessing.Pool", Kind.STARTS_ON_CALL, _MP_POOL),
    Target("multiprocessing.pool.Pool", Kind.STARTS_ON_CALL, _MP_POOL),
    Target("multiprocessing.Manager", Kind.STARTS_ON_CALL, _MANAGER),
    Target("concurrent.futures.ProcessPoolExecutor", Kind.STARTS_ON_CALL, _EXECUTOR),
    Target("concurrent.futures.process.ProcessPoolExecutor", Kind.STARTS_ON_CALL, _EXECUTOR),
    Target("multiprocessing.Process", Kind.STARTS_ON_START, _MP_PROCESS),
    Target("multiprocessing.process.BaseProcess", Kind.STARTS_ON_START, _MP_PROCESS),
    Target("multiprocessing.context.Process", Kind.STARTS_ON_START, _MP_PROCESS),
    Target("multiprocessing.context.SpawnProcess", Kind.STARTS_ON_START, _MP_PROCESS),
    Target("multiprocessing.context.ForkServerProcess", Kind.STARTS_ON_START, _MP_PROCESS),
    Target("multiprocessing.managers.SyncManager", Kind.STARTS_ON_START, _MANAGER),
    Target("multiprocessing.managers.BaseManager", Kind.STARTS_ON_START, _MANAGER),
    Target("multiprocessing.get_context", Kind.CONTEXT, _CONTEXT),
    Target("multiprocessing.context.get_context", Kind.CONTEXT, _CONTEXT),
    Target("multiprocessing.set_start_method", Kind.SETUP, _SETUP),
    Target("multiprocessing.set_forkserver_preload", Kind.SETUP, _SETUP),
    Target("multiprocessing.freeze_support", Kind.SETUP, _FREEZE),
)

BY_QUALNAME: dict[str, Target] = {t.qualname: t for t in TARGETS}

#: A context object's attributes behave like the same names on the multiprocessing module.
CONTEXT_MODULE = "multiprocessing"

#: get_context() with this literal never re-imports the main module, so it is not a finding.
NON_REIMPORTING_METHODS = frozenset({"fork"})

#: Byte strings one of which must occur in a file for it to be analysed at all: every import
#: path to a catalogue entry spells one of them.
PREFILTER_TOKENS: tuple[bytes, ...] = tuple(
    sorted({t.qualname.split(".", 1)[0].encode() for t in TARGETS})
)

#: Names a star import of a module binds, per catalogue entry ("module.Name" -> "Name").
def star_names(module: str) -> dict[str, str]:
    """Catalogue names that ``from module import *`` binds, mapped to their qualified names."""
    prefix = module + "."
    return {
        t.qualname[len(prefix):]: t.qualname
        for t in TARGETS
        if t.qualname.startswith(prefix)
        and "." not in t.qualname[len(prefix):]
        and not t.qualname[len(prefix):].startswith("_")
    }
