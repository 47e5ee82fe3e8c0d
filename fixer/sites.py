"""Where installed packages live: the site-packages folders of a virtual environment or of
the interpreter running guardfix, the folders their ``.pth`` files add, and which project
a folder belongs to.

Only ``os`` and ``sys`` are imported: the warm path (``fixer.warm``), which must name the
environment in its cache key before anything heavy loads, and the analysis
(``fixer.roots``) both ask here, so the two always agree.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # (importing typing would cost the warm path several milliseconds)
if TYPE_CHECKING:
    from typing import List, Optional, Sequence, Tuple

#: Files or folders that mark a project's root folder.
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")

#: Top-level module names of guardfix and of everything it requires: when the environment is
#: the one guardfix runs in, these are its own, not the project's (a test compares the list
#: with the installed distributions' metadata).
OWN_DEPENDENCIES = frozenset({
    "fixer", "libcst", "click", "rich", "pathspec", "tomli", "yaml", "_yaml", "yaml_ft", "_yaml_ft",
    "typing_extensions", "markdown_it", "mdurl", "pygments", "colorama",
})


def has_project_marker(folder: str) -> bool:
    return any(os.path.exists(os.path.join(folder, marker)) for marker in PROJECT_MARKERS)


def venv_site_packages(folder: str) -> "List[str]":
    """The site-packages folders of the virtual environment in ``folder``
    (``lib/python3*/site-packages``, ``lib64/...``, ``Lib/site-packages``), in that order."""
    found: List[str] = []
    for lib in ("lib", "lib64"):
        base = os.path.join(folder, lib)
        try:
            names = os.listdir(base)
        except OSError:
            continue
        found += sorted(
            os.path.join(base, name, "site-packages")
            for name in names
            if name.startswith("python3") and os.path.isdir(os.path.join(base, name))
            and os.path.lexists(os.path.join(base, name, "site-packages"))
        )
    windows = os.path.join(folder, "Lib", "site-packages")
    if os.path.isdir(windows):
        found.append(windows)
    return list(dict.fromkeys(f for f in found if os.path.isdir(f)))


def own_site_packages() -> "List[str]":
    """The site-packages folders of the interpreter running guardfix."""
    import site

    paths: "List[Optional[str]]" = []
    if sys.prefix == sys.base_prefix:
        # A distribution's interpreter may install where site does not look first (Debian's
        # dist-packages): ask sysconfig.  In a virtual environment site's own list holds
        # sysconfig's folders (lib and the platform's lib64 alike), and sysconfig's
        # configuration costs a warm run several milliseconds.
        import sysconfig

        paths += [sysconfig.get_paths().get(key) for key in ("purelib", "platlib")]
    try:
        paths += site.getsitepackages()
    except AttributeError:  # pragma: no cover - old virtualenv's site module
        pass
    if getattr(site, "ENABLE_USER_SITE", False):
        paths.append(site.getusersitepackages())
    return [p for p in dict.fromkeys(paths) if p and os.path.isdir(p)]


def is_own(folders: "Sequence[str]") -> bool:
    """Whether these folders are the environment guardfix runs in."""
    own = {os.path.realpath(f) for f in own_site_packages()}
    return any(os.path.realpath(f) in own for f in folders)


def project_venv(project_roots: "Sequence[str]", environ: dict) -> "Optional[Tuple[List[str], str]]":
    """(site-packages folders, where they came from) of ``$VIRTUAL_ENV`` (unless it is the
    environment guardfix runs in), else of ``.venv`` or ``venv`` in a project root; None
    when there is neither (the interpreter running guardfix is the environment then)."""
    virtual = environ.get("VIRTUAL_ENV")
    if virtual and os.path.isdir(virtual):
        folders = venv_site_packages(virtual)
        if folders and not is_own(folders):
            return folders, f"$VIRTUAL_ENV ({virtual})"
    for root in project_roots:
        for name in (".venv", "venv"):
            candidate = os.path.join(root, name)
            if os.path.isfile(os.path.join(candidate, "pyvenv.cfg")):
                folders = venv_site_packages(candidate)
                if folders:
                    return folders, f"{name} in {root}"
    return None


def pth_folders(path: str, base: str) -> "List[str]":
    """The existing folders a ``.pth`` file adds (its ``import`` lines are not run)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith(("#", "import ", "import\t")):
            continue
        folder = os.path.normpath(os.path.join(base, line))
        if os.path.isdir(folder):
            found.append(folder)
    return found


#: Spawners of libraries that guardfix reads when they are installed (it then finds the
#: process start itself, with its chain) and knows by name when they are not: a script is
#: often checked without its project's dependencies installed.  Top-level package -> the
#: qualified names under which a script imports the spawner.  (``fixer.targets`` says why
#: each starts processes; only those checked on this machine or read in the library's
#: source are listed.)
SPAWNERS_WHEN_ABSENT = {
    "stable_baselines3": (
        "stable_baselines3.common.vec_env.SubprocVecEnv",
        "stable_baselines3.common.vec_env.subproc_vec_env.SubprocVecEnv",
    ),
    "stable_baselines": (
        "stable_baselines.common.vec_env.SubprocVecEnv",
        "stable_baselines.common.vec_env.subproc_vec_env.SubprocVecEnv",
    ),
    "gymnasium": (
        "gymnasium.vector.AsyncVectorEnv",
        "gymnasium.vector.async_vector_env.AsyncVectorEnv",
    ),
    "pymc": ("pymc.sample", "pymc.sampling.sample", "pymc.sampling.mcmc.sample"),
    "gym": (
        "gym.vector.AsyncVectorEnv",
        "gym.vector.async_vector_env.AsyncVectorEnv",
        "gym.vector.make",
    ),
    "torch_ac": (
        "torch_ac.utils.ParallelEnv",
        "torch_ac.utils.penv.ParallelEnv",
        "torch_ac.A2CAlgo",
        "torch_ac.PPOAlgo",
        "torch_ac.algos.A2CAlgo",
        "torch_ac.algos.PPOAlgo",
        "torch_ac.algos.a2c.A2CAlgo",
        "torch_ac.algos.ppo.PPOAlgo",
    ),
    "pyBKT": tuple(
        f"pyBKT.models.{path}Model.{method}"
        for path in ("", "Model.")
        for method in ("fit", "crossvalidate", "evaluate", "predict")
    ),
    "coffea": (
        "coffea.processor.run_uproot_job",
        "coffea.processor.executor.run_uproot_job",
        "coffea.processor.run_parquet_job",
        "coffea.processor.executor.run_parquet_job",
        "coffea.processor.Runner.__call__",
        "coffea.processor.executor.Runner.__call__",
    ),
    # --- scipy (absentH): the public functions whose workers= reaches scipy._lib._util.MapWrapper ---
    "scipy": (
        "scipy.integrate.quad_vec",
        "scipy.optimize.brute",
        "scipy.optimize.differential_evolution",
        "scipy.optimize.least_squares",
        "scipy.optimize.shgo",
        "scipy.stats.multiscale_graphcorr",
    ),
    # --- end scipy ---
    # --- datasets (absentH): .map / .filter of what these return (a Dataset or a DatasetDict),
    # reached as an attribute of the call's result; ds["train"].map(...) is not reached ---
    "datasets": tuple(
        f"datasets.{producer}.{method}"
        for producer in (
            "load_dataset", "load_from_disk", "Dataset.from_csv", "Dataset.from_dict", "Dataset.from_generator",
            "Dataset.from_json", "Dataset.from_list", "Dataset.from_pandas", "Dataset.from_parquet",
            "Dataset.from_text", "Dataset.load_from_disk",
        )
        for method in ("filter", "map")
    ),
    # --- end datasets ---
}

# --- PyTorch Lightning (a block of its own) --------------------------------------------------
#: ``Trainer.fit/validate/test/predict`` start no process themselves: they iterate the
#: DataLoaders they are given (``fixer.targets``, Kind.ITERATES_GIVEN), so only a loader with
#: worker processes that reaches them makes one a finding.
_TRAINER_METHODS = ("fit", "validate", "test", "predict")
_TRAINERS = {
    "lightning": (
        "lightning.Trainer", "lightning.pytorch.Trainer", "lightning.pytorch.trainer.Trainer",
        "lightning.pytorch.trainer.trainer.Trainer",
    ),
    "pytorch_lightning": (
        "pytorch_lightning.Trainer", "pytorch_lightning.trainer.Trainer", "pytorch_lightning.trainer.trainer.Trainer",
    ),
}
for _top, _classes in _TRAINERS.items():
    SPAWNERS_WHEN_ABSENT[_top] = tuple(f"{cls}.{method}" for cls in _classes for method in _TRAINER_METHODS)
del _top, _classes
# --- end of PyTorch Lightning ------------------------------------------------------------------

# --- Hugging Face transformers (a block of its own) ------------------------------------------
#: ``Trainer.train/evaluate/predict`` build and iterate DataLoaders with
#: ``TrainingArguments.dataloader_num_workers`` workers (``fixer.targets``: only when the
#: Trainer was given such arguments).
SPAWNERS_WHEN_ABSENT["transformers"] = tuple(
    f"{cls}.{method}"
    for cls in ("transformers.Trainer", "transformers.trainer.Trainer", "transformers.Seq2SeqTrainer",
                "transformers.trainer_seq2seq.Seq2SeqTrainer")
    for method in ("train", "evaluate", "predict")
)
# --- end of Hugging Face transformers ----------------------------------------------------------


def presence_folders(environment: "Sequence[str]", src: "Sequence[str]", project_roots: "Sequence[str]") -> "List[str]":
    """Where a library counts as present for ``absent_spawners``: the environment's folders,
    the ``--src`` folders, each project root and its ``src/``."""
    found = list(environment) + list(src)
    for root in project_roots:
        found += [root, os.path.join(root, "src")]
    return list(dict.fromkeys(found))


def absent_spawners(folders: "Sequence[str]") -> "Tuple[str, ...]":
    """The qualified names of ``SPAWNERS_WHEN_ABSENT`` whose library none of ``folders``
    holds (as a package folder or a module file), sorted."""
    names: List[str] = []
    for top, qualnames in SPAWNERS_WHEN_ABSENT.items():
        if not any(os.path.isdir(os.path.join(f, top)) or os.path.isfile(os.path.join(f, top + ".py")) for f in folders):
            names += qualnames
    return tuple(sorted(names))


def with_absent(extra_spawners: "Sequence[str]", absent: "Sequence[str]") -> "Tuple[str, ...]":
    """The run's spawners by name: the user's ``extra-spawners``, then ``absent_spawners``
    (each once).  The command (``fixer.roots.with_search``) and the warm path both ask here,
    so their run keys agree."""
    return tuple(dict.fromkeys(tuple(extra_spawners) + tuple(absent)))
