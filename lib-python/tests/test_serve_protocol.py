"""Pins the protocol between `cdk-wsgi serve` and its worker (serve/), and runs the worker
through it.

test/contract-parity.test.ts compares the names with the TypeScript side's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

from events import make_http_event

SERVE = Path(__file__).parents[1] / "serve"
sys.path.insert(0, str(SERVE))
import cdk_wsgi_serve_protocol as protocol  # noqa: E402

SETTINGS: protocol.WorkerSettings = {
    "entry": "/app",
    "app": "api:app",
    "textMediaTypes": ["image/svg+xml"],
    "binaryMediaTypes": None,
    "basePaths": {"api.example.com": "v1"},
    "originSecret": None,
    "port": 8000,
    "functionName": "MyStack-App",
    "memorySize": 512,
    "timeoutSeconds": 29,
}

APP = """\
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["PATH_INFO"].encode()]
"""


class TestProtocol:
    def test_settings_round_trip(self) -> None:
        # The names are the TypeScript side's: test/contract-parity.test.ts compares them.
        assert protocol.read_settings(json.dumps(SETTINGS)) == SETTINGS

    def test_invocation_line(self) -> None:
        line = b'{"requestId":"req-1","event":{"path":"/"}}\n'
        assert protocol.read_invocation(line) == ("req-1", {"path": "/"})

    def test_ready_lines(self) -> None:
        assert protocol.encode(protocol.ready_message()) == b'{"ready":{}}\n'
        failed = protocol.ready_message(error="ImportError: x", hint="install x")
        assert (
            protocol.encode(failed)
            == b'{"ready":{"error":"ImportError: x","hint":"install x"}}\n'
        )

    def test_answer_lines(self) -> None:
        result = protocol.result_message({"statusCode": 200})
        assert protocol.encode(result) == b'{"result":{"statusCode":200}}\n'
        error = protocol.error_message("ValueError: boom")
        assert protocol.encode(error) == b'{"error":"ValueError: boom"}\n'


def start_worker(entry: Path, app: str) -> subprocess.Popen[bytes]:
    settings = {**SETTINGS, "entry": str(entry), "app": app}
    return subprocess.Popen(
        [sys.executable, str(SERVE / "worker.py"), json.dumps(settings)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_line(channel: IO[bytes] | None) -> Any:
    assert channel is not None
    return json.loads(channel.readline())


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.returncode is None:
        worker.kill()
        worker.communicate()


class TestWorker:
    def test_answers_each_invocation_until_stdin_closes(self, tmp_path: Path) -> None:
        (tmp_path / "api.py").write_text(APP)
        worker = start_worker(tmp_path, "api:app")
        assert worker.stdin is not None
        try:
            assert read_line(worker.stdout) == {"ready": {}}
            for path in ("/a", "/b"):
                event = make_http_event(raw_path=path)
                worker.stdin.write(
                    f'{{"requestId":"r{path}","event":{json.dumps(event)}}}\n'.encode()
                )
                worker.stdin.flush()
                answer = read_line(worker.stdout)
                assert answer["result"]["statusCode"] == 200
                assert answer["result"]["body"] == path
            worker.communicate(timeout=10)  # closes stdin, which ends the worker
            assert worker.returncode == 0
        finally:
            stop(worker)

    def test_reports_an_app_that_fails_to_import(self, tmp_path: Path) -> None:
        (tmp_path / "api.py").write_text("import not_installed_anywhere\n")
        worker = start_worker(tmp_path, "api:app")
        try:
            ready = read_line(worker.stdout)["ready"]
            assert ready["error"] == (
                "ModuleNotFoundError: No module named 'not_installed_anywhere'"
            )
            assert "is not installed for" in ready["hint"]
        finally:
            stop(worker)
