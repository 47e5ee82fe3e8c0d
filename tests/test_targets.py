"""The catalogue is data: well-formed, and the README's table is generated from it."""

from __future__ import annotations

from conftest import ROOT

from fixer.targets import (
    TARGETS,
    Kind,
    build_catalogue,
    catalogue_table,
    mentions_tokens,
    prefilter_tokens,
    star_names,
)


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


def test_every_entry_is_covered_by_a_prefilter_pair() -> None:
    groups = dict(prefilter_tokens())
    for target in TARGETS:
        root, _, rest = target.qualname.partition(".")
        assert rest.rsplit(".", 1)[-1].encode() in groups[root.encode()], target.qualname
        assert mentions_tokens(f"import {root}\n{target.qualname}()\n".encode(), prefilter_tokens())


def test_prefilter_needs_a_library_and_one_of_its_spawners() -> None:
    groups = prefilter_tokens()
    assert mentions_tokens(b"from multiprocessing import Pool as P\nP(2)\n", groups)
    assert not mentions_tokens(b"import multiprocessing\nprint(multiprocessing.cpu_count())\n", groups)
    assert not mentions_tokens(b"import concurrent.futures\nconcurrent.futures.ThreadPoolExecutor()\n", groups)
    assert not mentions_tokens(b"Pool(2)  # no library named\n", groups)


def test_prefilter_sees_importlib_import_module_with_a_literal_name() -> None:
    groups = prefilter_tokens()
    assert mentions_tokens(b"import importlib\nmp = importlib.import_module('multiprocessing')\nmp.Pool()\n", groups)
    assert mentions_tokens(b'from importlib import import_module\nimport_module("concurrent.futures").ProcessPoolExecutor()\n', groups)
    assert not mentions_tokens(b"import importlib\nmp = importlib.import_module(name)\nmp.Pool()\n", groups)


def test_extra_spawners_extend_catalogue_and_tokens() -> None:
    catalogue = build_catalogue(("mypkg.parallel.run_all",))
    assert catalogue["mypkg.parallel.run_all"].kind is Kind.STARTS_ON_CALL
    assert (b"mypkg", (b"run_all",)) in prefilter_tokens(("mypkg.parallel.run_all",))
    assert "mypkg.parallel.run_all" not in build_catalogue()


def test_star_import_binds_public_catalogue_names() -> None:
    names = star_names("multiprocessing")
    assert names["Pool"] == "multiprocessing.Pool"
    assert names["Process"] == "multiprocessing.Process"
    assert "pool" not in names  # submodule entries are not star-imported names
    assert star_names("concurrent.futures") == {"ProcessPoolExecutor": "concurrent.futures.ProcessPoolExecutor"}


def test_import_regions_keep_every_import_statement_and_little_else() -> None:
    from fixer.targets import import_regions

    data = (
        b"x = 1\n"
        b"from multiprocessing import (\n    Pool,\n    Process,\n)\n"
        b"print('no imports here')\n"
        b"import os; import sys\n"
        b"def f():\n    import concurrent.futures as cf\n"
    )
    regions = import_regions(data)
    assert regions == (
        b"from multiprocessing import (\n    Pool,\n    Process,\n)\n"
        b"print('no imports here')\n"  # a superset: any line that spells "import"
        b"import os; import sys\n"
        b"    import concurrent.futures as cf\n"
    )
    assert import_regions(b"print(1)\n") == b"\n"
    assert mentions_tokens(b"from multiprocessing import (\n    Pool,\n)\nPool(2)\n")
    assert not mentions_tokens(b"# multiprocessing Pool\nprint('import')\n")
