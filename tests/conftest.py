"""Shared pytest set-up: the --update-goldens switch and the fixture catalogue."""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click.testing
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9 / 3.10
    import tomli as tomllib

if "mix_stderr" in inspect.signature(click.testing.CliRunner.__init__).parameters:  # pragma: no cover
    # click < 8.2 (the newest click for Python 3.9) mixes stderr into result.stdout unless told
    # otherwise; click 8.2+ always keeps the streams apart, and the CLI tests assert on each.
    _runner_init = click.testing.CliRunner.__init__

    def _separate_streams(self: click.testing.CliRunner, *args: object, mix_stderr: bool = False, **kwargs: object) -> None:
        _runner_init(self, *args, mix_stderr=mix_stderr, **kwargs)  # type: ignore[misc]

    click.testing.CliRunner.__init__ = _separate_streams  # type: ignore[method-assign]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
OUTCOMES = {"fixed", "unsafe", "declined", "clean", "skipped", "error"}


@pytest.fixture(autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own guardfix cache folder (also inherited by subprocesses): tests
    never read or write the user's cache, nor each other's."""
    folder = tmp_path_factory.mktemp("guardfix-cache")
    monkeypatch.setenv("GUARDFIX_CACHE_DIR", str(folder))
    return folder


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite fixtures/*/expected.py from the current output (review with git diff)",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    summary: str
    outcome: str
    findings: tuple = ()
    reason: str = ""
    runnable: bool = False
    script: str = "input.py"
    args: tuple = ()
    alone: bool = False
    min_python: tuple = ()  # e.g. (3, 12): the input uses syntax older interpreters cannot parse
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def input_bytes(self) -> bytes:
        return (self.folder / "input.py").read_bytes()

    @property
    def expected_path(self) -> Path:
        return self.folder / "expected.py"

    @property
    def stdout_path(self) -> Path:
        return self.folder / "stdout.txt"


def load_cases() -> list[Case]:
    cases = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        meta = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
        unknown = set(meta) - {"summary", "outcome", "findings", "reason", "runnable", "script", "args", "alone", "min_python"}
        if unknown:
            raise ValueError(f"{folder.name}/case.toml: unknown keys {sorted(unknown)}")
        if meta["outcome"] not in OUTCOMES:
            raise ValueError(f"{folder.name}/case.toml: unknown outcome {meta['outcome']!r}")
        cases.append(
            Case(
                name=folder.name,
                folder=folder,
                summary=meta.get("summary", ""),
                outcome=meta["outcome"],
                findings=tuple((f["code"], f["line"]) for f in meta.get("findings", [])),
                reason=meta.get("reason", ""),
                runnable=bool(meta.get("runnable", False)),
                script=meta.get("script", "input.py"),
                args=tuple(meta.get("args", [])),
                alone=bool(meta.get("alone", False)),
                min_python=tuple(int(part) for part in str(meta.get("min_python", "")).split(".") if part),
                meta=meta,
            )
        )
    return cases


CASES = load_cases()


def pytest_collection_modifyitems(items: list) -> None:
    """Fixture cases whose input needs a newer Python are skipped, with the reason, on older
    interpreters (guardfix parses with the running interpreter's grammar)."""
    for item in items:
        case = getattr(item, "callspec", None) and item.callspec.params.get("case")
        if isinstance(case, Case) and case.min_python and sys.version_info[:2] < case.min_python:
            needed = ".".join(map(str, case.min_python))
            item.add_marker(pytest.mark.skip(reason=f"{case.name}: the input uses Python {needed} syntax"))
