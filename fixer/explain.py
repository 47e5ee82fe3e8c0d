"""What each finding code means, why it matters and how it is fixed (``--explain CODE``)."""

from __future__ import annotations

from fixer.model import Code

EXPLANATIONS: dict[Code, tuple[str, str]] = {
    Code.GF001: (
        "Under the spawn and forkserver start methods every child process imports the main script "
        "again (as __mp_main__) and runs its unguarded top-level code. A process start there runs "
        "again in each child: a Pool hangs forever, a Process child dies with 'An attempt has been "
        "made to start a new process before the current process has finished its bootstrapping "
        "phase', a ProcessPoolExecutor raises BrokenProcessPool. Windows and macOS default to spawn; "
        "Linux defaults to forkserver from Python 3.14.",
        "guardfix moves the script's work into `def main():` called under "
        "`if __name__ == \"__main__\":` (or into the existing guard), keeping at module level "
        "everything the workers need: imports, definitions, constants and the globals they read.",
    ),
    Code.GF002: (
        "The module-level call does not start processes itself, but the function, class or method "
        "it calls does, possibly through other functions or other modules of the project. The "
        "effect under spawn is the same as GF001. The message names the whole chain; -v prints the "
        "file and line of every step.",
        "Fixed like GF001: the call moves under the guard. The helper modules are left alone.",
    ),
    Code.GF003: (
        "set_start_method, set_forkserver_preload and freeze_support are start-method set-up. At "
        "module level they run again in every child; set_start_method without force=True fails "
        "there with 'context has already been set', and freeze_support must be the first line "
        "under the guard for frozen Windows executables.",
        "guardfix moves the call under the guard, ahead of the rest of the work.",
    ),
    Code.GF004: (
        "This module starts processes when it is imported, and another scanned module imports it. "
        "Spawn children import it again to unpickle their work, so it fails even when the importer "
        "imports it under its own guard. A guard inside the module would only make its code dead "
        "for the importers.",
        "Not rewritten. Move the process start into a function, and call that function from the "
        "script's `if __name__ == \"__main__\":` guard.",
    ),
    Code.GF101: (
        "A worker reads a Lock, Queue, Event, Value, Array or manager proxy through a module-level "
        "global. Under spawn each child re-imports the module and creates its own, unconnected copy: "
        "locks no longer exclude, queues no longer deliver.",
        "A warning: pass the object to the worker through args= or a pool initializer.",
    ),
    Code.GF102: (
        "A worker reads a global that the script's work changes after the module defines it "
        "(rebinds it, or changes it in place). Fork children saw the change; spawn children "
        "re-import the module and only see its module-level value, so output silently differs.",
        "A warning: pass the value to the worker as an argument.",
    ),
    Code.GF103: (
        "A lambda or a function defined inside another function is used as a Process target or "
        "mapped over a pool. Spawn pickles the function by its qualified name, which such "
        "functions do not have at module level: the children fail to unpickle it.",
        "A warning: define the worker at module level.",
    ),
    Code.GF104: (
        "Processes are started and never joined. Under spawn the parent can finish (and shut down "
        "the queues and managers its children need) before the children have even unpickled their "
        "work.",
        "A warning: call .join() on every process you start.",
    ),
    Code.GF105: (
        "set_start_method('fork') makes the crash go away on Linux, but fork does not exist on "
        "Windows and is unsafe on macOS (and with threads anywhere).",
        "A warning: guard the entry point instead, then drop the forced start method.",
    ),
}


def explain(code: Code) -> str:
    """Plain text for ``--explain``."""
    why, fix = EXPLANATIONS[code]
    kind = "warning" if code.is_warning else "error"
    return f"{code.value} ({kind}): {code.title}\n\nWhy it matters\n  {why}\n\nFix\n  {fix}\n"
