"""The Python API: ``from fixer import fix_source, check_paths, Options, ...``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fixer
from fixer import Code, FileResult, Options, Status, Style, check_paths, fix_source, write_fix
from test_cli import POOL_FIXED, POOL_SCRIPT, UNSAFE_SCRIPT

GUARDED = "from multiprocessing import Pool\n\nif __name__ == '__main__':\n    with Pool(2) as pool:\n        print(pool.map(abs, [-1]))\n"


def test_fix_source_returns_the_cli_result_type() -> None:
    result = fix_source(POOL_SCRIPT, "job.py")
    assert isinstance(result, FileResult)
    assert result.status is Status.FIXED
    assert result.display == "job.py"
    assert [(f.code, f.line, f.col) for f in result.findings] == [(Code.GF001, 8, 6)]
    assert result.new_source == POOL_FIXED.encode()
    assert result.old_source == POOL_SCRIPT.encode()


def test_fix_source_takes_bytes_and_options() -> None:
    data = POOL_SCRIPT.replace("\n", "\r\n").encode()
    result = fix_source(data, options=Options(style=Style.INLINE))
    assert result.status is Status.FIXED
    assert result.new_source is not None
    assert result.new_source.endswith(b'if __name__ == "__main__":\r\n    with Pool(2) as pool:\r\n'
                                      b"        print(pool.map(square, range(4)))\r\n")


@pytest.mark.parametrize(
    ("source", "status"),
    [
        pytest.param(GUARDED, Status.CLEAN, id="clean"),
        pytest.param("print('hello')\n", Status.SKIPPED, id="no-process-api"),
        pytest.param(UNSAFE_SCRIPT, Status.UNSAFE, id="unsafe"),
        pytest.param("from multiprocessing import Pool\nprint 'x'\n", Status.ERROR, id="syntax-error"),
    ],
)
def test_fix_source_statuses(source: str, status: Status) -> None:
    result = fix_source(source)
    assert result.status is status
    assert (result.new_source is not None) is status.has_fix


def test_fix_source_reports_a_crash_as_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    import fixer.pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(fixer.pipeline, "make_plan", boom)
    result = fix_source(POOL_SCRIPT)
    assert result.status is Status.FAILED
    assert "kaboom" in result.reason


def test_check_paths_writes_nothing_and_write_fix_applies(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    (tmp_path / "notes.py").write_text("print('no processes')\n")
    results = check_paths([tmp_path])
    assert [(Path(r.display).name, r.status) for r in results] == [("a.py", Status.FIXED), ("notes.py", Status.SKIPPED)]
    assert (tmp_path / "a.py").read_text() == POOL_SCRIPT
    written = write_fix(results[0])
    assert written.written
    assert (tmp_path / "a.py").read_text() == POOL_FIXED


def test_check_paths_follows_calls_across_files(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text(
        "from multiprocessing import Pool\n\n\ndef run():\n    with Pool(2) as pool:\n        return pool.map(abs, [1])\n"
    )
    (tmp_path / "script.py").write_text("from helpers import run\n\nrun()\n")
    [helpers, script] = check_paths([str(tmp_path)], Options(select=("GF002",)))
    assert helpers.status is Status.CLEAN
    assert [f.code for f in script.findings] == [Code.GF002]


def test_the_public_names() -> None:
    for name in fixer.__all__:
        assert getattr(fixer, name) is not None, name
    assert "fix_source" in dir(fixer)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        fixer.nope  # noqa: B018


def run_python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def test_import_fixer_is_cheap() -> None:
    loaded = run_python(
        """
        import sys
        import fixer
        print(sorted(m for m in sys.modules if m.startswith(("fixer.", "libcst", "rich", "click"))))
        """
    )
    assert loaded.strip() == "[]"


def test_help_does_not_import_libcst() -> None:
    loaded = run_python(
        """
        import runpy, sys
        sys.argv = ["guardfix", "--help"]
        try:
            runpy.run_module("fixer", run_name="__main__")
        except SystemExit as exit:
            assert exit.code == 0, exit.code
        print(any(m == "libcst" or m.startswith("libcst.") for m in sys.modules), "fixer.cli" in sys.modules)
        """
    )
    assert loaded.splitlines()[-1] == "False True"


def test_a_clean_run_does_not_import_libcst(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(GUARDED)
    loaded = run_python(
        f"""
        import sys
        from fixer import check_paths
        [result] = check_paths([{str(tmp_path)!r}])
        print(result.status.value, any(m.startswith("libcst") for m in sys.modules))
        """
    )
    assert loaded.strip() == "clean False"
