"""``[tool.guardfix]`` in ``pyproject.toml``: finding the file, reading it, validating it.

Pure apart from reading the files it is pointed at: a path goes in, validated values (keyed
by the command-line parameter each one sets) or a ``ConfigError`` naming the file and the key
come out.  Nothing here knows about click.
"""

from __future__ import annotations

import keyword
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence


def _toml() -> Any:
    """The TOML parser (loaded when a configuration file is read, not on every run)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.9 / 3.10
        import tomli as tomllib
    return tomllib


TABLE = "tool.guardfix"


class ConfigError(Exception):
    """A configuration file that cannot be used.  ``str()`` names the file, and the key when
    one key is at fault, so the message can be shown as it is."""

    def __init__(self, path: Path, message: str, key: str | None = None) -> None:
        self.path = path
        self.key = key
        self.message = message
        where = f"[{TABLE}] {key}" if key else f"[{TABLE}]"
        super().__init__(f"{path}: {where}: {message}" if key else f"{path}: {message}")


@dataclass(frozen=True)
class Config:
    """The values a configuration file sets.

    ``values`` maps command-line parameter names (``main_name``, ``extend_exclude``...) to
    validated values, holding only the keys the file sets.  ``root`` is the file's folder:
    exclude patterns and a relative ``cache-dir`` are read relative to it.
    """

    path: Path
    root: Path
    values: dict = field(default_factory=dict)


def _fail(path: Path, key: str, message: str) -> ConfigError:
    return ConfigError(path, message, key)


def _string_list(path: Path, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail(path, key, f"must be a list of strings, not {_describe(value)}")
    return list(value)


def _patterns(path: Path, key: str, value: Any) -> list[str]:
    patterns = _string_list(path, key, value)
    for pattern in patterns:
        if not pattern.strip():
            raise _fail(path, key, "holds an empty pattern")
    return patterns


def _codes(path: Path, key: str, value: Any) -> list[str]:
    codes = _string_list(path, key, value)
    for code in codes:
        if not re.fullmatch(r"GF\d{0,3}", code.strip().upper()):
            raise _fail(path, key, f"{code!r} is not a finding code or code prefix (e.g. GF002, GF1)")
    return [code.strip().upper() for code in codes]


def _qualnames(path: Path, key: str, value: Any) -> list[str]:
    names = _string_list(path, key, value)
    for name in names:
        if "." not in name or not all(part.isidentifier() for part in name.split(".")):
            raise _fail(path, key, f"{name!r} is not a dotted name such as mypkg.parallel.run_all")
    return names


def _style(path: Path, key: str, value: Any) -> str:
    if value not in ("main", "inline"):
        raise _fail(path, key, f"must be \"main\" or \"inline\", not {_describe(value)}")
    return str(value)


def _main_name(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        raise _fail(path, key, f"must be a valid Python function name, not {_describe(value)}")
    return value


def _flag(path: Path, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, key, f"must be true or false, not {_describe(value)}")
    return value


def _jobs(path: Path, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(path, key, f"must be a whole number of at least 1, not {_describe(value)}")
    return value


def _folder(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, f"must be a folder path as a string, not {_describe(value)}")
    folder = Path(os.path.expanduser(value))
    return str(folder if folder.is_absolute() else path.parent / folder)


def _folders(path: Path, key: str, value: Any) -> list[str]:
    """Folders relative to the configuration file (as ruff's ``src``)."""
    folders = _string_list(path, key, value)
    result = []
    for folder in folders:
        if not folder.strip():
            raise _fail(path, key, "holds an empty folder name")
        expanded = Path(os.path.expanduser(folder))
        result.append(str(expanded if expanded.is_absolute() else path.parent / expanded))
    return result


def _path_string(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, f"must be a path to an interpreter or an environment, not {_describe(value)}")
    expanded = Path(os.path.expanduser(value))
    if expanded.is_absolute() or os.sep not in value and "/" not in value:
        return str(expanded)  # absolute, or a command name looked up on PATH
    return str(path.parent / expanded)


#: Each key of ``[tool.guardfix]``: the command-line parameter it sets and its validator.
KEYS: dict[str, tuple[str, Callable[[Path, str, Any], Any]]] = {
    "exclude": ("exclude", _patterns),
    "extend-exclude": ("extend_exclude", _patterns),
    "respect-gitignore": ("respect_gitignore", _flag),
    "style": ("style", _style),
    "main-name": ("main_name", _main_name),
    "unsafe-fixes": ("unsafe_fixes", _flag),
    "select": ("select", _codes),
    "ignore": ("ignore", _codes),
    "extra-spawners": ("extra_spawner", _qualnames),
    "jobs": ("jobs", _jobs),
    "cache-dir": ("cache_dir", _folder),
    "src": ("src", _folders),
    "python": ("python", _path_string),
}


def _describe(value: Any) -> str:
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a table"}
    kind = next((name for typ, name in kinds.items() if type(value) is typ), type(value).__name__)
    shown = repr(value)
    return f"{kind} ({shown if len(shown) <= 40 else shown[:37] + '...'})"


def _read_toml(path: Path) -> dict:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
    tomllib = _toml()
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not UTF-8: {exc.reason}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None


def _table(document: dict) -> Any:
    return document.get("tool", {}).get("guardfix") if isinstance(document.get("tool"), dict) else None


def parse_config(path: Path, document: dict) -> Config:
    """Validate the ``[tool.guardfix]`` table of an already parsed ``document`` read from
    ``path``.  Raises ``ConfigError`` for a missing table, an unknown key or a bad value."""
    table = _table(document)
    if table is None:
        raise ConfigError(path, f"no [{TABLE}] table")
    if not isinstance(table, dict):
        raise ConfigError(path, f"tool.guardfix must be a table, not {_describe(table)}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            import difflib  # (only for a misspelt key)

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _fail(path, key, f"unknown key{hint}; known keys: {', '.join(KEYS)}")
        param, validate = KEYS[key]
        values[param] = validate(path, key, value)
    return Config(path=path, root=path.parent, values=values)


def load_config(path: Path) -> Config:
    """Read and validate the ``[tool.guardfix]`` table of the TOML file at ``path``."""
    path = Path(os.path.abspath(path))
    return parse_config(path, _read_toml(path))


def find_config(paths: Sequence[Path], start: Path | None = None) -> Path | None:
    """The ``pyproject.toml`` that configures a run on ``paths``, or None.

    Starts at the deepest folder holding every path (``start`` when there are none, as for
    stdin without ``--stdin-filename``; by default the current folder), and walks up to the
    first ``pyproject.toml`` that has a ``[tool.guardfix]`` table.  The walk stops at a
    repository root (a folder holding ``.git``), so a project never picks up a file from
    outside its repository.  A ``pyproject.toml`` without the table is passed over.
    """
    folders = []
    for path in paths:
        absolute = Path(os.path.abspath(path))
        folders.append(str(absolute if absolute.is_dir() else absolute.parent))
    if folders:
        folder = Path(os.path.commonpath(folders))
    else:
        folder = Path(os.path.abspath(start if start is not None else Path.cwd()))
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _mentions_table(pyproject) and _table(_read_toml(pyproject)) is not None:
            return pyproject
        if (candidate / ".git").exists():
            return None
    return None


def _mentions_table(path: Path) -> bool:
    """Cheap test before parsing: files that never say ``guardfix`` cannot have the table."""
    try:
        return b"guardfix" in path.read_bytes()
    except OSError:
        return False


__all__ = ["Config", "ConfigError", "KEYS", "find_config", "load_config", "parse_config"]
