"""fixer.explain: every finding code is documented for ``--explain``."""

from __future__ import annotations

import pytest

from fixer.explain import EXPLANATIONS, explain
from fixer.model import CODE_TITLES, Code


def test_every_code_has_an_explanation_and_a_title() -> None:
    assert set(EXPLANATIONS) == set(Code)
    assert set(CODE_TITLES) == set(Code)


@pytest.mark.parametrize("code", list(Code), ids=[c.value for c in Code])
def test_explanation_parts_are_not_empty(code: Code) -> None:
    why, fix = EXPLANATIONS[code]
    assert why.strip() and fix.strip()


@pytest.mark.parametrize("code", list(Code), ids=[c.value for c in Code])
def test_explain_starts_with_the_code_and_its_kind(code: Code) -> None:
    text = explain(code)
    kind = "warning" if code.value.startswith("GF1") else "error"
    assert text.startswith(f"{code.value} ({kind}): {code.title}\n")
    assert "\nWhy it matters\n" in text
    assert "\nFix\n" in text
    assert text.endswith("\n")


@pytest.mark.parametrize("code", [c for c in Code if c.value.startswith("GF1")], ids=lambda c: c.value)
def test_warnings_say_they_are_warnings(code: Code) -> None:
    assert code.is_warning
    assert "(warning)" in explain(code).splitlines()[0]
    assert "(error)" not in explain(code)


@pytest.mark.parametrize("code", [c for c in Code if c.value.startswith("GF0")], ids=lambda c: c.value)
def test_errors_say_they_are_errors(code: Code) -> None:
    assert not code.is_warning
    assert "(error)" in explain(code).splitlines()[0]
