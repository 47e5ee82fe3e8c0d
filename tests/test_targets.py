"""The catalogue is data: well-formed, and the README's table is generated from it."""

from __future__ import annotations

from conftest import ROOT

from fixer.targets import TARGETS, Kind, build_catalogue, catalogue_table, prefilter_tokens, star_names


def test_readme_table_is_generated_from_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- catalogue:start -->\n") + len("<!-- catalogue:start -->\n")
    end = readme.index("<!-- catalogue:end -->")
    assert readme[start:end] == catalogue_table(), "regenerate the README table from fixer.targets"


def test_every_entry_has_a_reason_and_a_unique_name() -> None:
    names = [t.qualname for t in TARGETS]
    assert len(names) == len(set(names))
    for target in TARGETS:
        assert target.why.strip(), target.qualname
        assert target.library, target.qualname
        if target.kind is Kind.CONTEXT:
            assert target.context_module, target.qualname


def test_every_library_root_is_a_prefilter_token() -> None:
    tokens = prefilter_tokens()
    for target in TARGETS:
        assert target.qualname.split(".")[0].encode() in tokens


def test_extra_spawners_extend_catalogue_and_tokens() -> None:
    catalogue = build_catalogue(("mypkg.parallel.run_all",))
    assert catalogue["mypkg.parallel.run_all"].kind is Kind.STARTS_ON_CALL
    assert b"mypkg" in prefilter_tokens(("mypkg.parallel.run_all",))
    assert "mypkg.parallel.run_all" not in build_catalogue()


def test_star_import_binds_public_catalogue_names() -> None:
    names = star_names("multiprocessing")
    assert names["Pool"] == "multiprocessing.Pool"
    assert names["Process"] == "multiprocessing.Process"
    assert "pool" not in names  # submodule entries are not star-imported names
    assert star_names("concurrent.futures") == {"ProcessPoolExecutor": "concurrent.futures.ProcessPoolExecutor"}
