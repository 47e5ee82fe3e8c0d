"""The command-line contract: modes, exit codes, streams, the review prompt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixer.cli
from fixer.cli import cli

POOL_SCRIPT = textwrap.dedent(
    """\
    from multiprocessing import Pool


    def square(x):
        return x * x


    with Pool(2) as pool:
        print(pool.map(square, range(4)))
    """
)

POOL_FIXED = textwrap.dedent(
    """\
    from multiprocessing import Pool


    def square(x):
        return x * x


    def main():
        global pool
        with Pool(2) as pool:
            print(pool.map(square, range(4)))


    if __name__ == "__main__":
        main()
    """
)

UNSAFE_SCRIPT = textwrap.dedent(
    """\
    from multiprocessing import Pool

    pool = Pool(2)


    def work(values):
        # Runs in a pool worker (apply): a spawn child would need the module-level pool.
        return pool.map(abs, values)


    print(pool.apply(work, ([-1, 2],)))
    """
)

CLEAN_SCRIPT = "import multiprocessing\nprint(multiprocessing.cpu_count() > 0)\n"


def run(args: list[str], input: str | None = None):
    return CliRunner().invoke(cli, args, input=input)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    (tmp_path / "b.py").write_text(POOL_SCRIPT)
    (tmp_path / "c.py").write_text(POOL_SCRIPT)
    (tmp_path / "clean.py").write_text(CLEAN_SCRIPT)
    return tmp_path


def contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.glob("*.py"))}


# ----- --check ---------------------------------------------------------------------------
def test_check_prints_one_line_per_finding_and_exits_1(tree: Path) -> None:
    before = contents(tree)
    result = run(["--check", str(tree)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{(tree / name).as_posix()}:8:6: GF001 Pool(...) starts processes at module level, "
        'outside an `if __name__ == "__main__":` guard'
        for name in ("a.py", "b.py", "c.py")
    ]
    assert contents(tree) == before


def test_check_on_clean_code_exits_0(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(CLEAN_SCRIPT)
    result = run(["--check", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout == ""


def test_check_reports_unsafe_status_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "u.py").write_text(UNSAFE_SCRIPT)
    result = run(["--check", str(tmp_path)])
    assert result.exit_code == 1
    assert "GF001" in result.stdout
    assert "fix is unsafe" in result.stderr and "'pool'" in result.stderr


# ----- --diff ----------------------------------------------------------------------------
def test_diff_goes_to_stdout_and_chatter_to_stderr(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    os.chdir(tmp_path)
    result = run(["--diff", "a.py"])
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/a.py\n+++ b/a.py\n@@ ")
    assert "GF001" not in result.stdout
    assert "GF001" in result.stderr
    assert (tmp_path / "a.py").read_text() == POOL_SCRIPT


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_output_is_accepted_by_git_apply(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    os.chdir(tmp_path)
    result = run(["--diff", "a.py"])
    subprocess.run(["git", "init", "-q"], check=True)
    (tmp_path / "fix.patch").write_text(result.stdout)
    subprocess.run(["git", "apply", "fix.patch"], check=True)
    assert (tmp_path / "a.py").read_text() == POOL_FIXED


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
def test_diff_output_is_accepted_by_patch_p1(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    os.chdir(tmp_path)
    result = run(["--diff", "a.py"])
    subprocess.run(["patch", "-p1", "-s"], input=result.stdout, text=True, check=True)
    assert (tmp_path / "a.py").read_text() == POOL_FIXED


def test_diff_hides_unsafe_fixes_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "u.py").write_text(UNSAFE_SCRIPT)
    hidden = run(["--diff", str(tmp_path)])
    assert hidden.exit_code == 1 and hidden.stdout == ""
    assert "unsafe fix not shown" in hidden.stderr
    shown = run(["--diff", "--unsafe-fixes", str(tmp_path)])
    assert shown.exit_code == 1 and shown.stdout.startswith("--- a/")


# ----- --write ---------------------------------------------------------------------------
def test_write_applies_safe_fixes_and_exits_0(tree: Path) -> None:
    result = run(["--write", str(tree)])
    assert result.exit_code == 0, result.output
    assert contents(tree) == {"a.py": POOL_FIXED, "b.py": POOL_FIXED, "c.py": POOL_FIXED, "clean.py": CLEAN_SCRIPT}
    again = run(["--write", str(tree)])
    assert again.exit_code == 0
    assert contents(tree)["a.py"] == POOL_FIXED


def test_write_leaves_unsafe_fixes_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "u.py").write_text(UNSAFE_SCRIPT)
    result = run(["--write", str(tmp_path)])
    assert result.exit_code == 1
    assert "unsafe fix not applied" in result.stderr
    assert (tmp_path / "u.py").read_text() == UNSAFE_SCRIPT
    forced = run(["--write", "--unsafe-fixes", str(tmp_path)])
    assert forced.exit_code == 0
    assert "def main():" in (tmp_path / "u.py").read_text()


def test_style_inline_and_main_name(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    (tmp_path / "b.py").write_text(POOL_SCRIPT)
    assert run(["--write", "--style", "inline", str(tmp_path / "a.py")]).exit_code == 0
    assert run(["--write", "--main-name", "run_all", str(tmp_path / "b.py")]).exit_code == 0
    assert (tmp_path / "a.py").read_text().endswith(
        'if __name__ == "__main__":\n    with Pool(2) as pool:\n        print(pool.map(square, range(4)))\n'
    )
    assert (tmp_path / "b.py").read_text() == POOL_FIXED.replace("main()", "run_all()")


# ----- review ----------------------------------------------------------------------------
def test_review_without_a_terminal_behaves_like_diff(tree: Path) -> None:
    before = contents(tree)
    result = run([str(tree)], input="y\ny\ny\n")
    assert result.exit_code == 1
    assert result.stdout.count("--- a/") == 3
    assert "not a terminal" in result.stderr
    assert contents(tree) == before


@pytest.fixture
def interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fixer.cli, "is_interactive", lambda: True)


@pytest.mark.parametrize(
    ("answers", "written", "exit_code"),
    [
        pytest.param("y\ny\ny\n", {"a.py", "b.py", "c.py"}, 0, id="yes-to-all"),
        pytest.param("y\nn\ny\n", {"a.py", "c.py"}, 1, id="yes-no-yes"),
        pytest.param("n\na\n", {"b.py", "c.py"}, 1, id="no-then-all"),
        pytest.param("a\n", {"a.py", "b.py", "c.py"}, 0, id="all"),
        pytest.param("y\nq\n", {"a.py"}, 1, id="yes-then-quit"),
        pytest.param("q\n", set(), 1, id="quit"),
        pytest.param("", set(), 1, id="end-of-input-quits"),
        pytest.param("maybe\ny\nn\nn\n", {"a.py"}, 1, id="invalid-answer-asks-again"),
    ],
)
def test_review_answers(tree: Path, interactive: None, answers: str, written: set, exit_code: int) -> None:
    result = run([str(tree)], input=answers)
    assert result.exit_code == exit_code, result.output
    fixed = {name for name, text in contents(tree).items() if text == POOL_FIXED}
    assert fixed == written
    assert contents(tree)["clean.py"] == CLEAN_SCRIPT
    assert "Apply? [y]es / [n]o / [a]ll remaining / [q]uit" in result.stdout
    if "maybe" in answers:
        assert "Please answer y, n, a or q." in result.stdout


def test_review_shows_unsafe_reason_and_writes_on_explicit_yes(tmp_path: Path, interactive: None) -> None:
    (tmp_path / "u.py").write_text(UNSAFE_SCRIPT)
    result = run([str(tmp_path)], input="y\n")
    assert "unsafe: function work() reads 'pool'" in result.stdout
    assert result.exit_code == 0
    assert "def main():" in (tmp_path / "u.py").read_text()


def test_review_all_still_asks_for_unsafe_fixes(tmp_path: Path, interactive: None) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    (tmp_path / "b.py").write_text(UNSAFE_SCRIPT)
    result = run([str(tmp_path)], input="a\nn\n")
    assert result.exit_code == 1
    assert (tmp_path / "a.py").read_text() == POOL_FIXED
    assert (tmp_path / "b.py").read_text() == UNSAFE_SCRIPT
    assert result.stdout.count("Apply?") == 2


def test_review_does_not_overwrite_a_file_changed_meanwhile(
    tmp_path: Path, interactive: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.py"
    target.write_text(POOL_SCRIPT)

    def edit_then_answer_yes() -> str:
        target.write_text(POOL_SCRIPT + "# edited meanwhile\n")
        return "y\n"

    monkeypatch.setattr(fixer.cli, "_read_answer", edit_then_answer_yes)
    result = run([str(tmp_path)])
    assert result.exit_code == 123
    assert "changed since it was read" in result.stderr
    assert target.read_text() == POOL_SCRIPT + "# edited meanwhile\n"


# ----- exit codes ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--check", "--write", "."], id="two-modes"),
        pytest.param(["--diff", "--check", "."], id="diff-and-check"),
        pytest.param(["does-not-exist.py"], id="missing-path"),
        pytest.param([], id="no-path"),
        pytest.param(["--main-name", "1abc", "."], id="bad-main-name"),
        pytest.param(["--main-name", "class", "."], id="keyword-main-name"),
        pytest.param(["--style", "fancy", "."], id="bad-style"),
        pytest.param(["--no-such-option", "."], id="unknown-option"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    os.chdir(tmp_path)
    result = run(args)
    assert result.exit_code == 2
    assert "Error" in result.stderr


def test_parse_error_exits_123_and_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "py2.py").write_text('from multiprocessing import Pool\nprint "hello"\n')
    result = run(["--check", str(tmp_path)])
    assert result.exit_code == 123
    assert "py2.py: cannot parse: line 2:" in result.stderr


def test_errors_win_over_findings(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    (tmp_path / "py2.py").write_text('from multiprocessing import Pool\nprint "hello"\n')
    result = run(["--check", str(tmp_path)])
    assert result.exit_code == 123
    assert "GF001" in result.stdout


def test_unreadable_file_exits_123(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing-target.py")
    result = run(["--write", str(tmp_path)])
    assert result.exit_code == 123
    assert "gone.py: cannot read" in result.stderr
    assert (tmp_path / "a.py").read_text() == POOL_FIXED


def test_files_without_process_apis_are_never_parsed(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_text('print "python 2 without processes"\n')
    (tmp_path / "binary.py").write_bytes(b"\x00\x01\xff\xfe")
    result = run(["--check", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr.strip().endswith("2 files without findings.")


def test_verification_failure_exits_123_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fixer.pipeline

    monkeypatch.setattr(fixer.pipeline, "verify_rewrite", lambda *a, **k: "simulated breakage")
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    result = run(["--write", str(tmp_path)])
    assert result.exit_code == 123
    assert "internal error: " in result.stderr and "simulated breakage" in result.stderr
    assert (tmp_path / "a.py").read_text() == POOL_SCRIPT


def test_internal_crash_is_contained_to_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fixer.pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(fixer.pipeline, "make_plan", boom)
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    (tmp_path / "clean.py").write_text(CLEAN_SCRIPT)
    result = run(["--write", str(tmp_path)])
    assert result.exit_code == 123
    assert "kaboom" in result.stderr
    assert (tmp_path / "a.py").read_text() == POOL_SCRIPT


# ----- discovery and order ---------------------------------------------------------------
def test_folders_are_walked_in_sorted_order_and_excludes_skipped(tmp_path: Path) -> None:
    for rel in ("z.py", "a/b.py", "a/a.py", ".git/x.py", "venv/lib/x.py", "node_modules/x.py",
                "build/x.py", "__pycache__/x.py", "env2/x.py"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(POOL_SCRIPT)
    (tmp_path / "env2" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "tool").write_text("#!/usr/bin/env python3\n" + POOL_SCRIPT)
    os.chdir(tmp_path)
    result = run(["--check", "."])
    paths = [line.split(":", 1)[0] for line in result.stdout.splitlines()]
    assert paths == ["a/a.py", "a/b.py", "tool", "z.py"]


def test_python_dash_m_fixer_works(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    proc = subprocess.run(
        [sys.executable, "-m", "fixer", "--check", str(tmp_path / "a.py")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert ":8:6: GF001 " in proc.stdout


def test_version() -> None:
    result = run(["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("guardfix, version ")


# ----- issue 3: --explain, --select / --ignore, --extra-spawner, suppressions, warnings -------

SETUP_SCRIPT = textwrap.dedent(
    """\
    import multiprocessing

    multiprocessing.set_start_method("spawn")
    with multiprocessing.Pool(2) as pool:
        print(pool.map(abs, [-1]))
    """
)

WARNING_ONLY_SCRIPT = textwrap.dedent(
    """\
    from multiprocessing import Process


    def work():
        print("hi")


    if __name__ == "__main__":
        Process(target=work).start()
    """
)


def test_explain_prints_the_code_and_exits_0() -> None:
    result = run(["--explain", "GF002"])
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "GF002 (error): a module-level call reaches a process start through functions or classes\n"
    )
    assert "\nWhy it matters\n" in result.stdout and "\nFix\n" in result.stdout
    assert result.stderr == ""


def test_explain_needs_no_paths_and_accepts_lower_case() -> None:
    result = run(["--explain", "gf104"])
    assert result.exit_code == 0
    assert result.stdout.startswith("GF104 (warning): ")


def test_explain_unknown_code_exits_2() -> None:
    result = run(["--explain", "XYZ"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'XYZ' is not a finding code" in result.stderr


def test_select_reports_only_the_selected_codes(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text(SETUP_SCRIPT)
    everything = run(["--check", str(tmp_path / "s.py")])
    assert [line.split()[1] for line in everything.stdout.splitlines()] == ["GF003", "GF001"]
    selected = run(["--check", "--select", "GF003", str(tmp_path / "s.py")])
    assert selected.exit_code == 1
    assert [line.split()[1] for line in selected.stdout.splitlines()] == ["GF003"]
    assert ":3:1: GF003 " in selected.stdout


def test_ignore_can_drop_every_finding_and_the_exit_code_follows(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text(POOL_SCRIPT)
    result = run(["--check", "--ignore", "GF001,GF002", str(tmp_path / "s.py")])
    assert result.exit_code == 0
    assert result.stdout == ""
    result = run(["--check", "--ignore", "GF002", str(tmp_path / "s.py")])
    assert result.exit_code == 1
    assert ":8:6: GF001 " in result.stdout


def test_ignored_findings_are_not_fixed(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text(POOL_SCRIPT)
    result = run(["--write", "--ignore", "GF001", str(tmp_path / "s.py")])
    assert result.exit_code == 0
    assert (tmp_path / "s.py").read_text() == POOL_SCRIPT


def test_select_a_prefix_and_ignore_together(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text(SETUP_SCRIPT)
    result = run(["--check", "--select", "GF0", "--ignore", "GF001", str(tmp_path / "s.py")])
    assert result.exit_code == 1
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["GF003"]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--select", "foo"], id="select-foo"),
        pytest.param(["--ignore", "GF001,bar"], id="ignore-bar"),
        pytest.param(["--select", "GF0001"], id="select-too-long"),
    ],
)
def test_invalid_codes_exit_2(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "s.py").write_text(POOL_SCRIPT)
    result = run(["--check", *args, str(tmp_path / "s.py")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "is not a finding code" in result.stderr


def test_extra_spawner_makes_a_configured_call_a_finding(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text("from mylib import run\n\nrun()\n")
    plain = run(["--check", str(tmp_path / "s.py")])
    assert plain.exit_code == 0
    assert plain.stdout == ""
    result = run(["--check", "--extra-spawner", "mylib.run", str(tmp_path / "s.py")])
    assert result.exit_code == 1
    assert result.stdout == f"{tmp_path / 's.py'}:3:1: GF001 run() starts processes at module level, outside an `if __name__ == \"__main__\":` guard\n"


def test_extra_spawner_is_fixed_with_write(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text("import mylib.parallel as par\n\npar.run_all()\n")
    result = run(["--write", "--extra-spawner", "mylib.parallel.run_all", str(tmp_path / "s.py")])
    assert result.exit_code == 0
    assert (tmp_path / "s.py").read_text() == (
        'import mylib.parallel as par\n\nif __name__ == "__main__":\n    par.run_all()\n'
    )


@pytest.mark.parametrize("name", ["run", "mylib..run", "my-lib.run", "mylib.run()", "1lib.run"])
def test_extra_spawner_must_be_a_dotted_name(tmp_path: Path, name: str) -> None:
    (tmp_path / "s.py").write_text("from mylib import run\n\nrun()\n")
    result = run(["--check", "--extra-spawner", name, str(tmp_path / "s.py")])
    assert result.exit_code == 2
    assert "is not a dotted name" in result.stderr


SUPPRESSED = [
    pytest.param("with Pool(2) as pool:  # guardfix: ignore", 0, "", id="ignore"),
    pytest.param("with Pool(2) as pool:  # guardfix: ignore[GF001]", 0, "", id="ignore-gf001"),
    pytest.param("with Pool(2) as pool:  # guardfix:ignore[gf002, GF001]", 0, "", id="ignore-list-lower-case"),
    pytest.param("with Pool(2) as pool:  # guardfix: ignore[GF002]", 1, ":8:6: GF001 ", id="ignore-gf002-keeps-gf001"),
    pytest.param("with Pool(2) as pool:  # guardfix: ignore-file", 1, ":8:6: GF001 ", id="ignore-file-not-at-top"),
]


@pytest.mark.parametrize(("line", "exit_code", "shown"), SUPPRESSED)
def test_suppression_comments(tmp_path: Path, line: str, exit_code: int, shown: str) -> None:
    script = POOL_SCRIPT.replace("with Pool(2) as pool:", line)
    (tmp_path / "s.py").write_text(script)
    result = run(["--check", str(tmp_path / "s.py")])
    assert result.exit_code == exit_code
    if shown:
        assert shown in result.stdout
    else:
        assert result.stdout == ""
    written = run(["--write", str(tmp_path / "s.py")])
    assert written.exit_code == 0
    assert ((tmp_path / "s.py").read_text() == script) is (exit_code == 0)


def test_suppressing_one_finding_keeps_the_other(tmp_path: Path) -> None:
    script = SETUP_SCRIPT.replace('set_start_method("spawn")', 'set_start_method("spawn")  # guardfix: ignore')
    (tmp_path / "s.py").write_text(script)
    result = run(["--check", str(tmp_path / "s.py")])
    assert result.exit_code == 1
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["GF001"]


def test_ignore_file_comment_at_the_top(tmp_path: Path) -> None:
    script = "#!/usr/bin/env python3\n# guardfix: ignore-file\n" + POOL_SCRIPT
    (tmp_path / "s.py").write_text(script)
    result = run(["--check", "-v", str(tmp_path / "s.py")])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "guardfix: ignore-file" in result.stderr
    assert run(["--write", str(tmp_path / "s.py")]).exit_code == 0
    assert (tmp_path / "s.py").read_text() == script


def test_check_exits_1_on_warnings_alone(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text(WARNING_ONLY_SCRIPT)
    result = run(["--check", str(tmp_path / "s.py")])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{tmp_path / 's.py'}:9:5: GF104 processes started here are never joined")
    assert len(result.stdout.splitlines()) == 1


def test_write_exits_0_on_warnings_alone_and_shows_them(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text(WARNING_ONLY_SCRIPT)
    result = run(["--write", str(tmp_path / "s.py")])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert ":9:5: GF104 processes started here are never joined" in result.stderr
    assert (tmp_path / "s.py").read_text() == WARNING_ONLY_SCRIPT


def test_write_shows_warnings_next_to_the_fix(tmp_path: Path) -> None:
    script = POOL_SCRIPT.replace("pool.map(square, range(4))", "pool.map(lambda x: x * x, range(4))")
    (tmp_path / "s.py").write_text(script)
    result = run(["--write", str(tmp_path / "s.py")])
    assert result.exit_code == 0
    assert ":9:20: GF103 " in result.stderr
    assert " GF001 " not in result.stderr
    assert 'if __name__ == "__main__":' in (tmp_path / "s.py").read_text()


def test_ignored_warnings_do_not_fail_check(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text(WARNING_ONLY_SCRIPT)
    result = run(["--check", "--ignore", "GF1", str(tmp_path / "s.py")])
    assert result.exit_code == 0
    assert result.stdout == ""


def test_verbose_check_prints_every_chain_step_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "engine.py").write_text(
        "from multiprocessing import Pool\n\n\ndef run():\n    with Pool(2) as pool:\n        return pool.map(abs, [1])\n"
    )
    (tmp_path / "helpers.py").write_text("from engine import run\n\n\ndef a():\n    return run()\n")
    (tmp_path / "script.py").write_text("from helpers import a\n\nresult = a()\n")
    monkeypatch.chdir(tmp_path)
    result = run(["--check", "-v", "script.py"])
    assert result.exit_code == 1
    assert result.stdout == (
        "script.py:3:10: GF002 calls a() (helpers.py:4) → run() (engine.py:4) → Pool(...) (engine.py:5)\n"
    )
    steps = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("→")]
    assert steps == [
        "→ a() (script.py:3, defined at helpers.py:4)",
        "→ run() (helpers.py:5, defined at engine.py:4)",
        "→ Pool(...) (engine.py:5)",
    ]
    quiet = run(["--check", "script.py"])
    assert "→ a() (script.py:3" not in quiet.stderr


def test_verbose_chain_paths_in_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "helpers.py").write_text(
        "from multiprocessing import Pool\n\n\ndef run():\n    with Pool(2) as pool:\n        return pool.map(abs, [1])\n"
    )
    (tmp_path / "app" / "script.py").write_text("from helpers import run\n\nrun()\n")
    monkeypatch.chdir(tmp_path)
    result = run(["--check", "-v", "app/script.py"])
    assert result.exit_code == 1
    assert result.stdout == "app/script.py:3:1: GF002 calls run() (app/helpers.py:4) → Pool(...) (app/helpers.py:5)\n"
    steps = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("→")]
    assert steps == ["→ run() (app/script.py:3, defined at app/helpers.py:4)", "→ Pool(...) (app/helpers.py:5)"]


def test_library_module_is_reported_and_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = (
        "from multiprocessing import Pool\n\n\ndef cube(n):\n    return n ** 3\n\n\n"
        "with Pool(2) as pool:\n    CUBES = pool.map(cube, range(5))\n"
    )
    (tmp_path / "workerlib.py").write_text(library)
    (tmp_path / "app.py").write_text("import workerlib\n\nif __name__ == '__main__':\n    print(workerlib.CUBES)\n")
    monkeypatch.chdir(tmp_path)
    result = run(["--write", "."])
    assert result.exit_code == 1
    assert "workerlib.py:8:6: GF004 " in result.stderr
    assert "imported by app.py" in result.stderr
    assert (tmp_path / "workerlib.py").read_text() == library
    alone = run(["--check", "workerlib.py"])
    assert alone.exit_code == 1
    assert alone.stdout.startswith("workerlib.py:8:6: GF001 ")


@pytest.mark.parametrize(
    ("args", "comment"),
    [
        pytest.param(["--ignore", "GF004"], "", id="ignore-gf004"),
        pytest.param(["--select", "GF001"], "", id="select-gf001"),
        pytest.param([], "  # guardfix: ignore[GF004]", id="comment-ignore-gf004"),
    ],
)
def test_hiding_gf004_never_turns_a_library_module_into_a_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], comment: str
) -> None:
    """A module imported by another scanned module is never wrapped: hiding its GF004 must
    hide it, not fall back to GF001 and a guard that disables the code for its importers."""
    library = (
        "from multiprocessing import Pool\n\n\ndef cube(n):\n    return n ** 3\n\n\n"
        f"with Pool(2) as pool:{comment}\n    CUBES = pool.map(cube, range(5))\n"
    )
    (tmp_path / "workerlib.py").write_text(library)
    (tmp_path / "app.py").write_text("import workerlib\n\nif __name__ == '__main__':\n    print(workerlib.CUBES)\n")
    monkeypatch.chdir(tmp_path)
    check = run(["--check", *args, "."])
    assert check.stdout == ""
    assert check.exit_code == 0
    written = run(["--write", *args, "."])
    assert (tmp_path / "workerlib.py").read_text() == library
    assert written.exit_code == 0


def test_extra_spawner_is_seen_inside_a_helper_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "helpers.py").write_text("from mylib import run_all\n\n\ndef go():\n    return run_all()\n")
    (tmp_path / "script.py").write_text("from helpers import go\n\ngo()\n")
    monkeypatch.chdir(tmp_path)
    assert run(["--check", "script.py"]).exit_code == 0
    result = run(["--check", "--extra-spawner", "mylib.run_all", "script.py"])
    assert result.exit_code == 1
    assert result.stdout == "script.py:3:1: GF002 calls go() (helpers.py:4) → run_all() (helpers.py:5)\n"


# ----- issue 5: --version and shell completion ------------------------------------------------
def _console_script() -> str:
    script = Path(sys.executable).parent / "guardfix"
    return str(script) if script.exists() else (shutil.which("guardfix") or "guardfix")


def test_version_matches_the_package() -> None:
    from fixer import __version__

    proc = subprocess.run([_console_script(), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout == f"guardfix, version {__version__}\n"


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        pytest.param("bash", "complete -o nosort -F _guardfix_completion guardfix", id="bash"),
        pytest.param("zsh", "compdef _guardfix_completion guardfix", id="zsh"),
        pytest.param("fish", "complete --no-files --command guardfix", id="fish"),
    ],
)
def test_shell_completion_script_is_generated(shell: str, marker: str) -> None:
    env = {**os.environ, "_GUARDFIX_COMPLETE": f"{shell}_source"}
    proc = subprocess.run([_console_script()], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert marker in proc.stdout


def test_shell_completion_completes_options_and_choices() -> None:
    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "_GUARDFIX_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        proc = subprocess.run([_console_script()], env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.splitlines()

    assert complete("guardfix --output-f", 1) == ["plain,--output-format"]
    assert complete("guardfix --output-format ", 2) == ["plain,text", "plain,json", "plain,github", "plain,sarif"]


def test_check_after_write_counts_files_with_only_warnings(tmp_path: Path) -> None:
    # The fix is written; what remains is a warning (GF104), and the summary says so instead
    # of "1 file without findings" (issue 11).
    script = tmp_path / "job.py"
    script.write_text(
        "from multiprocessing import Process\n\n\ndef work():\n    print('x')\n\n\n"
        "Process(target=work).start()\n"
    )
    written = CliRunner().invoke(cli, ["--write", "--no-cache", str(script)])
    assert written.exit_code == 0, written.output
    checked = CliRunner().invoke(cli, ["--check", "--no-cache", str(script)])
    assert "GF104" in checked.stdout
    assert checked.stderr.strip().endswith("0 files without findings, 1 file with warnings.")
    assert checked.exit_code == 1  # --check: warnings count (Report.return_code)
