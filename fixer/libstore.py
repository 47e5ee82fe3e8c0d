"""Answers about installed packages, kept between runs and shared between projects.

Whether an installed module can start processes, and which of its exported names are
spawners, depends only on the installed files (an installed module's imports are looked up
in its own folder, its package root and the environment's site-packages folders, never in
the project that uses it: see ``project.FileResolver``).  Those answers are the costly part
of checking a script that imports a large library (scikit-learn, scipy: a hundred modules
parsed to learn that ``cross_val_score`` starts nothing that re-imports the script), and they
are the same for every project that uses the same environment.  So they are stored once per
environment and guardfix version, in the cache folder, and read back on the next run:

* the record's name is a hash of guardfix's code, the interpreter's grammar, the catalogue's
  extra spawners, the environment's site-packages folders and the names hidden there;
* it holds the stamp (size, modification time, content hash) of every installed module that
  was read to find its answers, and a hash of each site-packages folder's listing (a package
  installed, removed or upgraded changes it);
* it is used only if every stamp and listing still matches; otherwise it is ignored and
  replaced at the end of the run.  A record that cannot be read or understood is ignored.

Only yes/no answers are stored (no call chains: they name files as the current folder sees
them).  Written atomically; the last run to finish wins.  ``--no-cache`` neither reads nor
writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

from fixer.cache import Stamp, code_fingerprint, prune_records, unchanged, write_record

FORMAT = 1
#: The folder inside the cache folder that holds the records.
FOLDER = "libraries"
#: Records kept (one per environment and guardfix version; the least recently written go).
KEEP = 16
_SITE_FOLDERS = ("site-packages", "dist-packages")


def library_folders(environment_folders: Iterable[str]) -> Tuple[str, ...]:
    """The environment's site-packages folders (real paths): modules below them are
    installed packages.  Folders that ``.pth`` files or editable installs add are left out:
    they usually hold a project's own sources, which change."""
    found = []
    for folder in environment_folders:
        if os.path.basename(os.path.normpath(folder)) in _SITE_FOLDERS:
            real = os.path.realpath(folder)
            if real not in found:
                found.append(real)
    return tuple(found)


def is_below(real: str, folders: Tuple[str, ...]) -> bool:
    """Whether the real path ``real`` lies inside one of ``folders``."""
    return any(real.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


@dataclass
class LibraryAnswers:
    """What is known about one environment's installed modules."""

    worth: Dict[str, bool] = field(default_factory=dict)  # real path -> can start processes
    exported: Dict[tuple, bool] = field(default_factory=dict)  # (real path, name[, ...]) -> spawner
    stamps: Dict[str, Stamp] = field(default_factory=dict)  # modules read to find the answers

    def __len__(self) -> int:
        return len(self.worth) + len(self.exported)


def record_key(folders: Tuple[str, ...], hidden: Iterable[str], extra_spawners: Iterable[str]) -> str:
    fields = [code_fingerprint(), f"libraries-{FORMAT}", *folders, "hidden", *sorted(hidden),
              "spawners", *sorted(extra_spawners)]
    return hashlib.sha256("\0".join(fields).encode()).hexdigest()


def listing_hash(folder: str) -> str:
    """A hash of the names in ``folder`` (a package installed or removed changes it)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = ["<unreadable>"]
    return hashlib.sha256("\0".join(names).encode()).hexdigest()


class LibraryStore:
    """The record of one environment in a cache folder."""

    def __init__(self, cache_dir: Path, folders: Tuple[str, ...], key: str) -> None:
        self.folders = folders
        self.path = Path(cache_dir) / FOLDER / f"lib-{key[:32]}.json"
        self.warning = ""

    def load(self) -> LibraryAnswers:
        """The stored answers if they still hold, else none."""
        try:
            raw = json.loads(self.path.read_bytes())
            if raw.get("format") != FORMAT:
                return LibraryAnswers()
            if raw["listings"] != {folder: listing_hash(folder) for folder in self.folders}:
                return LibraryAnswers()
            stamps = {path: Stamp(*stamp) for path, stamp in raw["stamps"].items()}
            if not all(is_below(path, self.folders) and unchanged(path, stamp) for path, stamp in stamps.items()):
                return LibraryAnswers()
            worth = {str(path): bool(answer) for path, answer in raw["worth"].items()}
            exported = {tuple(key): bool(answer) for key, answer in raw["exported"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return LibraryAnswers()  # missing, corrupt, or from another version: start empty
        return LibraryAnswers(worth, exported, stamps)

    def save(self, answers: LibraryAnswers) -> None:
        """Write ``answers`` atomically (never raises: a failure is kept in ``warning``)."""
        data = json.dumps(
            {
                "format": FORMAT,
                "listings": {folder: listing_hash(folder) for folder in self.folders},
                "stamps": {path: list(stamp) for path, stamp in sorted(answers.stamps.items())},
                "worth": dict(sorted(answers.worth.items())),
                "exported": sorted([list(key), answer] for key, answer in answers.exported.items()),
            },
            separators=(",", ":"),
        ).encode()
        try:
            write_record(self.path, data)
            prune_records(self.path.parent, "lib-*.json", KEEP)
        except OSError as exc:
            self.warning = f"library answers not saved in {self.path.parent}: {exc.strerror or exc}"


def open_store(cache_dir: Optional[Path], environment_folders: Iterable[str], hidden: Iterable[str],
               extra_spawners: Iterable[str]) -> Optional[LibraryStore]:
    """The store for this environment, or None (no cache, or no site-packages folder)."""
    if cache_dir is None:
        return None
    folders = library_folders(environment_folders)
    if not folders:
        return None
    return LibraryStore(cache_dir, folders, record_key(folders, hidden, extra_spawners))


def collect(
    previous: LibraryAnswers, worth: Dict[str, bool], exported: Dict[tuple, bool], read: Dict[str, Stamp],
    folders: Tuple[str, ...], discovered: Iterable[str] = (),
) -> Optional[LibraryAnswers]:
    """The answers to store after a run: the previous ones (still valid: they were checked
    when loaded) and this run's answers about installed modules, with the stamps of the
    installed modules read.  None when a module read has no usable stamp (nothing stored:
    an answer may rest on it)."""
    skip = set(discovered)
    answers = LibraryAnswers(dict(previous.worth), dict(previous.exported), dict(previous.stamps))
    for path, stamp in read.items():
        if is_below(path, folders) and path not in skip:
            if stamp.mtime_ns == -1 or not stamp.sha:
                return None
            answers.stamps[path] = stamp
    answers.worth.update((k, v) for k, v in worth.items() if is_below(k, folders) and k not in skip)
    answers.exported.update((k, v) for k, v in exported.items() if is_below(k[0], folders) and k[0] not in skip)
    return answers
