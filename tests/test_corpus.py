"""Corpus sweep: guardfix --write over a copy of the running interpreter's standard library.

The sweep itself lives in ``benchmarks/corpus_sweep.py`` (also usable on any folder); this test
runs it on ~1,800 real modules, plus one planted file that cannot be parsed, and requires every
promise to hold.  Selected with ``-m corpus``; part of the default run.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_sweep():
    spec = importlib.util.spec_from_file_location("corpus_sweep", ROOT / "benchmarks" / "corpus_sweep.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_sweep", module)  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return sys.modules["corpus_sweep"]


#: Python 2 source that names a process API, so it is parsed (and must be reported, not fixed).
PLANTED = b'import multiprocessing\nprint "python 2"\nmultiprocessing.Pool(2)\n'


@pytest.mark.corpus
def test_standard_library_sweep(tmp_path: Path) -> None:
    sweep = load_sweep()
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    source = tmp_path / "source"
    copied = sweep.copy_tree(stdlib, source)
    (source / "zz_planted_python2.py").write_bytes(PLANTED)
    result = sweep.sweep(source, tmp_path / "work")
    print(sweep.report(result, stdlib))

    assert result.problems == []
    assert len(result.files) == len(copied) + 1 > 500
    # The planted file is the one named read/parse error; it was left alone.
    assert set(result.unreadable) == {"zz_planted_python2.py"}
    assert result.unreadable["zz_planted_python2.py"].startswith("cannot parse: line 2")
    assert [run.returncode for run in result.runs] == [123, 123, 123]
    assert "zz_planted_python2.py" not in result.changed
    # The standard library has real findings (its multiprocessing test helpers), and the
    # sweep saw them: the counts are not vacuous.
    assert result.with_errors
    assert result.changed <= result.with_errors


@pytest.mark.corpus
def test_sweep_detects_a_lost_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker itself can fail: a guardfix that rewrites a clean file is caught."""
    sweep = load_sweep()
    source = tmp_path / "source"
    source.mkdir()
    (source / "clean.py").write_bytes(b"x = 1\n")
    (source / "pool.py").write_bytes(b"from multiprocessing import Pool\nwith Pool(2) as p:\n    p.map(abs, [1])\n")
    real_run = sweep.run_guardfix

    def run_then_damage(root: Path, *args: str, timeout: float = 900):
        run = real_run(root, *args, timeout=timeout)
        if "--write" in args:
            (root / "clean.py").write_bytes(b"x = 1\r\n")
        return run

    monkeypatch.setattr(sweep, "run_guardfix", run_then_damage)
    result = sweep.sweep(source, tmp_path / "work")
    assert result.changed == {"clean.py", "pool.py"}
    assert [p for p in result.problems if "changed although" in p] == [
        "clean.py changed although --check reported no error finding for it"
    ]
