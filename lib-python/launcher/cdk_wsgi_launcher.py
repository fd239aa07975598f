#!/usr/bin/env python
"""The `cdk-wsgi` command of the Python package: runs the npm package's CLI with Node.

It stands in for the script jsii-pacmak generates (.ci/package-python puts it in its
place), which runs the CLI through a jsii kernel: that loads the construct library first
(seconds for `--help`), joins the arguments into a shell command line without quoting
them, and on Ctrl+C prints a traceback and leaves the kernel's unpacked packages in the
temporary folder. The CLI needs only Node.js and its own files, so this unpacks the npm
tarball the wheel embeds, once, into a cache folder named by its hash, and hands the
process over to `node lib/cli/main.js`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "cdk_wsgi"
NO_NODE = (
    "cdk-wsgi: needs Node.js (node on PATH), as the AWS CDK CLI does; "
    "install it from https://nodejs.org"
)


def embedded_tarball() -> pathlib.Path:
    """The npm tarball in the installed package, found without importing it (jsii)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"the {PACKAGE} package is not installed in {sys.executable}")
    for location in spec.submodule_search_locations:
        for tarball in (pathlib.Path(location) / "_jsii").glob("*.jsii.tgz"):
            return tarball
    raise LookupError(f"the {PACKAGE} package in {sys.executable} has no npm tarball")


def cache_root() -> pathlib.Path:
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "cdk-wsgi"


def unpacked(tarball: pathlib.Path) -> pathlib.Path:
    """The tarball's `package/` folder, unpacked once per content (dev builds share a
    version number)."""
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()[:16]
    target = cache_root() / digest
    if not (target / "package" / "package.json").is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Unpacked beside the target, then renamed: no run ever sees half a folder.
        scratch = tempfile.mkdtemp(prefix=f"{digest}.", dir=target.parent)
        with tarfile.open(tarball) as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(scratch, filter="data")
            else:  # Python 3.11 before 3.11.4; the tarball is our own build
                archive.extractall(scratch)
        try:
            os.rename(scratch, target)
        except OSError:  # another run got there first
            shutil.rmtree(scratch, ignore_errors=True)
    return target / "package"


def main(argv: list[str]) -> int:
    node = shutil.which("node")
    if node is None:
        print(NO_NODE, file=sys.stderr)
        return 1
    try:
        cli = unpacked(embedded_tarball()) / "lib" / "cli" / "main.js"
    except LookupError as error:
        print(f"cdk-wsgi: {error}; reinstall it: pip install cdk-wsgi", file=sys.stderr)
        return 1
    if os.name == "nt":  # no exec there: run it and pass its exit status on
        try:
            return subprocess.call([node, str(cli), *argv])
        except KeyboardInterrupt:
            return 130
    # The process becomes node: signals, the terminal and the exit status are the CLI's.
    os.execv(node, [node, str(cli), *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
