"""guardfix: find and fix scripts that start processes without a ``__main__`` guard.

The Python API (documented in the README, "Python API")::

    from fixer import fix_source, check_paths, Options

    result = fix_source(text, "job.py")            # a FileResult, nothing read or written
    results = check_paths(["scripts/"], Options())  # FileResults, nothing written

The results are the same ``FileResult`` values the command line prints.  Importing ``fixer``
is cheap: the names below are loaded on first use (PEP 562), so ``python -m fixer --help``
never imports libcst.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Public name -> the module that defines it, imported on first access.
_LAZY = {
    "Options": "fixer.model",
    "Style": "fixer.model",
    "FileResult": "fixer.model",
    "Finding": "fixer.model",
    "ChainStep": "fixer.model",
    "Code": "fixer.model",
    "Status": "fixer.model",
    "Excludes": "fixer.discover",
    "Config": "fixer.config",
    "ConfigError": "fixer.config",
    "load_config": "fixer.config",
    "find_config": "fixer.config",
    "write_fix": "fixer.pipeline",
    "format_results": "fixer.formats",
}

__all__ = ["__version__", "fix_source", "check_paths", *_LAZY]

TYPE_CHECKING = False  # (not typing's: importing typing costs every run, the warm one too)
if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from os import PathLike
    from typing import Any, Iterable, Union

    from fixer.config import Config, ConfigError, find_config, load_config
    from fixer.discover import Excludes
    from fixer.formats import format_results
    from fixer.model import ChainStep, Code, FileResult, Finding, Options, Status, Style
    from fixer.pipeline import write_fix


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'fixer' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def fix_source(
    source: Union[str, bytes], filename: str = "<string>", options: "Options | None" = None
) -> "FileResult":
    """Analyse one script's text and compute its verified fix.  Pure: reads and writes no file.

    ``source`` is the script as ``str`` or as raw ``bytes`` (bytes keep the encoding cookie,
    BOM and newlines exactly; a ``str`` is encoded as UTF-8).  ``filename`` names it in the
    result.  Returns a ``FileResult``: ``status`` (``Status.FIXED``, ``UNSAFE``, ``DECLINED``,
    ``CLEAN``, ``SKIPPED``, ``ERROR``, ``FAILED``), ``findings``, ``new_source`` (bytes, when
    there is a fix) and ``reason``.  Never raises for a bad script: that is an ``ERROR``.
    """
    from pathlib import Path

    from fixer.model import Options
    from fixer.pipeline import process_bytes

    data = source.encode("utf-8") if isinstance(source, str) else bytes(source)
    options = options if options is not None else Options()
    return process_bytes(data, Path(filename), filename, options)


def check_paths(
    paths: Iterable[Union[str, "PathLike[str]"]],
    options: "Options | None" = None,
    excludes: "Excludes | None" = None,
) -> "list[FileResult]":
    """Discover the scripts under ``paths`` and process them as ``guardfix --check`` does,
    following calls across the files found.  Writes nothing: pass a result with a fix to
    ``write_fix`` to apply it.  ``excludes`` defaults to the built-in folders plus
    ``.gitignore``; no configuration file is read (use ``load_config`` for that).  Imports
    resolve as the command resolves them: set ``Options.search`` (``search_settings_for``)
    to name ``--src`` folders or an interpreter.  Returns
    one ``FileResult`` per script, in sorted path order; never raises for a bad file.
    """
    from pathlib import Path

    from fixer.discover import discover
    from fixer.model import Options
    from fixer.runner import Runner

    from fixer.roots import search_settings_for, with_search

    roots = [Path(p) for p in paths]
    found = discover(roots, excludes)
    options = options if options is not None else Options()
    if options.search is None:  # as the command: the environment found for these paths
        options = with_search(options, search_settings_for(roots))
    runner = Runner(
        [(c.path, c.display) for c in found.candidates],
        options,
        jobs=1,
        roots=[str(root) for root in roots],
        coverage=found.coverage,
    )
    return list(runner.run())
