"""The wheel's `cdk-wsgi` command (launcher/cdk_wsgi_launcher.py), run as pip installs it, against a stand-in package
whose embedded npm tarball holds a small CLI, with the real Node.js."""

from __future__ import annotations

import io
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tarfile

import pytest

LAUNCHER = pathlib.Path(__file__).parents[1] / "launcher" / "cdk_wsgi_launcher.py"

# Prints its arguments as JSON, exits with the status `exit=N` asks for, or waits for SIGINT and exits 0 on it.
MAIN_JS = """
const args = process.argv.slice(2);
if (args[0] === 'wait') {
  process.on('SIGINT', () => { process.stdout.write('interrupted\\n'); process.exit(0); });
  process.stdout.write('ready\\n');
  setTimeout(() => process.exit(9), 20000);
} else {
  process.stdout.write(JSON.stringify({ args, cwd: process.cwd() }));
  const status = args.find(a => a.startsWith('exit='));
  process.exit(status ? Number(status.slice(5)) : 0);
}
"""

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="the launcher runs Node.js"
)


def tarball(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def installed(tmp_path: pathlib.Path) -> pathlib.Path:
    """A site folder with a cdk_wsgi package that must not be imported, and its embedded tarball."""
    package = tmp_path / "site" / "cdk_wsgi"
    (package / "_jsii").mkdir(parents=True)
    (package / "__init__.py").write_text(
        "raise RuntimeError('the launcher imported cdk_wsgi (and so jsii)')\n"
    )
    (package / "_jsii" / "cdk-wsgi@0.0.0.jsii.tgz").write_bytes(
        tarball({"package.json": "{}", "lib/cli/main.js": MAIN_JS})
    )
    return tmp_path


def env_for(root: pathlib.Path, path: str | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(PYTHONPATH=str(root / "site"), XDG_CACHE_HOME=str(root / "cache"))
    if path is not None:
        env["PATH"] = path
    return env


def launch(
    root: pathlib.Path, *args: str, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LAUNCHER), *args],
        env=env_for(root, path),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_passes_every_argument_through_unchanged_and_the_exit_status_back(
    installed: pathlib.Path,
) -> None:
    args = [
        "serve",
        "--function",
        "My Stack/App",
        "$HOME",
        'it\'s "quoted"',
        "a;b",
        "",
        "exit=3",
    ]
    result = launch(installed, *args)
    assert (result.returncode, result.stderr) == (3, "")
    assert json.loads(result.stdout) == {"args": args, "cwd": str(installed)}


def test_unpacks_once_per_tarball_content(installed: pathlib.Path) -> None:
    assert launch(installed, "one").returncode == 0
    [first] = (installed / "cache" / "cdk-wsgi").iterdir()
    assert (first / "package" / "lib" / "cli" / "main.js").read_text() == MAIN_JS
    assert launch(installed, "two").returncode == 0
    assert list((installed / "cache" / "cdk-wsgi").iterdir()) == [first]
    # A new build of the same version is a new tarball: its CLI is unpacked beside the old one, never mixed in.
    embedded = installed / "site" / "cdk_wsgi" / "_jsii" / "cdk-wsgi@0.0.0.jsii.tgz"
    embedded.write_bytes(
        tarball(
            {"package.json": "{}", "lib/cli/main.js": "process.stdout.write('new')"}
        )
    )
    assert launch(installed).stdout == "new"
    assert len(list((installed / "cache" / "cdk-wsgi").iterdir())) == 2


def test_ctrl_c_reaches_the_cli_alone_with_no_traceback(
    installed: pathlib.Path,
) -> None:
    process = subprocess.Popen(
        [sys.executable, str(LAUNCHER), "wait"],
        env=env_for(installed),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        # The launcher's own process is node by now: it gets the signal, handles it, and its status is the command's.
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        process.kill()
    assert (process.returncode, stdout, stderr) == (0, "interrupted\n", "")


def test_without_node_says_what_to_install(installed: pathlib.Path) -> None:
    result = launch(installed, "--help", path=str(installed))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "cdk-wsgi: needs Node.js (node on PATH), as the AWS CDK CLI does; install it from https://nodejs.org\n"
    )


def test_without_the_package_says_how_to_reinstall(installed: pathlib.Path) -> None:
    shutil.rmtree(installed / "site" / "cdk_wsgi")
    result = launch(installed, "--help")
    assert result.returncode == 1
    assert result.stderr == (
        f"cdk-wsgi: the cdk_wsgi package is not installed in {sys.executable}; reinstall it: pip install cdk-wsgi\n"
    )
