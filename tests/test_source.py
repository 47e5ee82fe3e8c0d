"""fixer.source: decoding as Python does, encoding back byte for byte, and the atomic write."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fixer.source import DecodedSource, SourceError, WriteError, decode_source, write_atomic

BOM = b"\xef\xbb\xbf"

DECODE = [
    pytest.param(b"x = 1\n", DecodedSource("x = 1\n", "utf-8", False, "\n"), id="utf8-lf"),
    pytest.param("s = 'é'\n".encode(), DecodedSource("s = 'é'\n", "utf-8", False, "\n"), id="utf8-non-ascii"),
    pytest.param(
        b"# -*- coding: latin-1 -*-\ns = '\xe9'\n",
        DecodedSource("# -*- coding: latin-1 -*-\ns = 'é'\n", "iso-8859-1", False, "\n"),
        id="latin1-cookie",
    ),
    pytest.param(BOM + b"x = 1\n", DecodedSource("x = 1\n", "utf-8", True, "\n"), id="bom"),
    pytest.param(
        BOM + b"# coding: utf-8\nx = 1\n",
        DecodedSource("# coding: utf-8\nx = 1\n", "utf-8", True, "\n"),
        id="bom-and-utf8-cookie",
    ),
    pytest.param(b"x = 1\r\ny = 2\r\n", DecodedSource("x = 1\r\ny = 2\r\n", "utf-8", False, "\r\n"), id="crlf"),
    pytest.param(b"x = 1\ry = 2\r", DecodedSource("x = 1\ry = 2\r", "utf-8", False, "\r"), id="cr"),
    pytest.param(b"x = 1\ny = 2\r\n", DecodedSource("x = 1\ny = 2\r\n", "utf-8", False, "\n"), id="first-newline-wins"),
    pytest.param(b"x = 1", DecodedSource("x = 1", "utf-8", False, "\n"), id="no-newline-defaults-to-lf"),
    pytest.param(b"", DecodedSource("", "utf-8", False, "\n"), id="empty"),
]


@pytest.mark.parametrize(("data", "expected"), DECODE)
def test_decode_source(data: bytes, expected: DecodedSource) -> None:
    assert decode_source(data) == expected


ROUND_TRIP = [
    pytest.param(b"import os\n\nprint(os.sep)\n", id="utf8"),
    pytest.param("# é\nx = '日本語'\n".encode(), id="utf8-non-ascii"),
    pytest.param(b"# -*- coding: latin-1 -*-\nx = '\xe9\xff'\r\n", id="latin1-crlf"),
    pytest.param(b"# vim: set fileencoding=cp1252 :\nx = '\x80'\n", id="cp1252-vim-cookie"),
    pytest.param(BOM + b"x = '\xc3\xa9'\r\n\r\n", id="bom-crlf"),
    pytest.param(b"x = 1\ry = 2\r", id="cr"),
    pytest.param(b"x = 1\n\x0c\ny = 2  \t\n", id="form-feed-and-trailing-whitespace"),
    pytest.param(b"x = 1", id="no-final-newline"),
]


@pytest.mark.parametrize("data", ROUND_TRIP)
def test_encode_round_trip(data: bytes) -> None:
    decoded = decode_source(data)
    assert decoded.encode(decoded.text) == data


def test_encode_uses_cookie_codec_and_keeps_bom() -> None:
    latin = decode_source(b"# coding: latin-1\nx = 1\n")
    assert latin.encode("# coding: latin-1\nx = 'é'\n") == b"# coding: latin-1\nx = '\xe9'\n"
    with_bom = decode_source(BOM + b"x = 1\n")
    assert with_bom.encode("y = 'é'\n") == BOM + "y = 'é'\n".encode()


DECODE_ERRORS = [
    pytest.param(b"x = 1\ny = 2\nz = '\xff'\n", "line 3: bytes are not valid utf-8", id="invalid-utf8-names-line"),
    pytest.param(b"x = '\xe9'\n", "line 1: bytes are not valid utf-8", id="latin1-without-cookie"),
    pytest.param(b"x = 1\n\x00\x00\n", "NUL bytes", id="nul-bytes"),
    pytest.param(b"# -*- coding: klingon -*-\nx = 1\n", "klingon", id="unknown-cookie"),
    pytest.param(BOM + b"# coding: latin-1\nx = 1\n", "encoding", id="bom-contradicts-cookie"),
]


@pytest.mark.parametrize(("data", "message"), DECODE_ERRORS)
def test_decode_source_errors(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        decode_source(data)


# ----- write_atomic -----------------------------------------------------------------------------

OLD = b"print('old')\n"
NEW = b"print('new')\n"


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "script.py"
    path.write_bytes(OLD)
    return path


def test_write_atomic_replaces_content(script: Path) -> None:
    write_atomic(script, NEW, OLD)
    assert script.read_bytes() == NEW


def test_write_atomic_keeps_permission_bits(script: Path) -> None:
    script.chmod(0o751)
    write_atomic(script, NEW, OLD)
    assert stat.S_IMODE(script.stat().st_mode) == 0o751
    assert script.read_bytes() == NEW


def test_write_atomic_leaves_no_temporary_file(script: Path) -> None:
    write_atomic(script, NEW, OLD)
    assert sorted(p.name for p in script.parent.iterdir()) == ["script.py"]


def test_write_atomic_rewrites_symlink_target_and_keeps_link(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "script.py"
    target.write_bytes(OLD)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_atomic(link, NEW, OLD)
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert target.read_bytes() == NEW
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.py", "real"]
    assert sorted(p.name for p in real_dir.iterdir()) == ["script.py"]


def test_write_atomic_refuses_when_file_changed_since_read(script: Path) -> None:
    changed = b"print('edited meanwhile')\n"
    script.write_bytes(changed)
    with pytest.raises(WriteError, match="changed since it was read"):
        write_atomic(script, NEW, OLD)
    assert script.read_bytes() == changed
    assert sorted(p.name for p in script.parent.iterdir()) == ["script.py"]


def test_write_atomic_refuses_when_file_is_gone(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="cannot re-read"):
        write_atomic(tmp_path / "missing.py", NEW, OLD)
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_does_not_write_unchanged_content(script: Path) -> None:
    os.utime(script, ns=(1_000_000_000, 1_000_000_000))
    before = script.stat()
    write_atomic(script, OLD, OLD)
    after = script.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, 1_000_000_000)
    assert script.read_bytes() == OLD
