"""Pins the protocol between `cdk-wsgi serve` and its worker (serve/), and runs the worker
through it.

test/contract-parity.test.ts compares the names with the TypeScript side's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from cdk_wsgi_adapter.config import Options
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
    "prime": None,
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

    def test_ready_line_with_primed_paths(self) -> None:
        primed = [
            {"path": "/", "status": 200, "ms": 4},
            {"path": "/x", "skipped": True},
        ]
        assert protocol.encode(protocol.ready_message(primed=primed)) == (
            b'{"ready":{"primed":[{"path":"/","status":200,"ms":4},'
            b'{"path":"/x","skipped":true}]}}\n'
        )

    def test_answer_lines(self) -> None:
        result = protocol.result_message({"statusCode": 200})
        assert protocol.encode(result) == b'{"result":{"statusCode":200}}\n'
        error = protocol.error_message("ValueError: boom")
        assert protocol.encode(error) == b'{"error":"ValueError: boom"}\n'


def start_worker(
    entry: Path, app: str, prime: protocol.PrimeSettings | None = None
) -> subprocess.Popen[bytes]:
    settings = {**SETTINGS, "entry": str(entry), "app": app, "prime": prime}
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

    def test_primes_once_imported_as_the_function_does_at_init(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "api.py").write_text(PRIMED_APP)
        prime = prime_settings(["/", "/missing", "/boom"])
        worker = start_worker(tmp_path, "api:app", prime)
        assert worker.stdin is not None
        try:
            primed = read_line(worker.stdout)["ready"]["primed"]
            assert [(p["path"], p["status"]) for p in primed] == [
                ("/", 200),
                ("/missing", 404),
                ("/boom", 500),
            ]
            assert all(isinstance(p["ms"], int) for p in primed)
            event = make_http_event(raw_path="/seen")
            worker.stdin.write(
                f'{{"requestId":"r","event":{json.dumps(event)}}}\n'.encode()
            )
            worker.stdin.flush()
            seen = json.loads(read_line(worker.stdout)["result"]["body"])
            # The REST API's stage, as the local server's requests have it, and the
            # Host its clients send.
            assert seen == [
                ["/prod", path, "127.0.0.1:8000", "cdk-wsgi-prime"]
                for path in ("/", "/missing", "/boom")
            ]
            _, stderr = worker.communicate(timeout=10)
            # The adapter's own log lines, as on Lambda.
            assert b"primed GET /: 200 in " in stderr
            assert b"primed GET /missing: 404 in " in stderr
        finally:
            stop(worker)

    def test_a_malformed_prime_is_logged_and_nothing_primed(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "api.py").write_text(PRIMED_APP)
        worker = start_worker(tmp_path, "api:app", prime_settings(["no-slash"]))
        try:
            assert read_line(worker.stdout) == {"ready": {}}
            _, stderr = worker.communicate(timeout=10)
            assert b"CDK_WSGI_PRIME is malformed" in stderr
        finally:
            stop(worker)


PRIMED_APP = """\
import json

seen = []

def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/seen":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(seen).encode()]
    seen.append([environ["SCRIPT_NAME"], path, environ["HTTP_HOST"],
                 environ["HTTP_USER_AGENT"]])
    if path == "/boom":
        raise ValueError("boom")
    start_response("404 Not Found" if path == "/missing" else "200 OK", [])
    return [b""]
"""


def prime_settings(paths: list[str], timeout: int = 5000) -> protocol.PrimeSettings:
    return {
        "apiType": "REST",
        "host": "local.execute-api.localhost",
        "stage": "prod",
        "paths": paths,
        "timeoutMillis": timeout,
    }


class TestPrimeApp:
    """worker.prime_app in this process, with handlers that fail and overrun."""

    def prime(
        self, handler: Any, prime: protocol.PrimeSettings
    ) -> list[dict[str, Any]] | None:
        import worker

        return worker.prime_app(handler, prime, SETTINGS, Options())

    def test_names_what_the_handler_raised_and_goes_on(self) -> None:
        def handler(event: Any, context: Any) -> Any:
            if event["path"] == "/x":
                raise ValueError("bad event")
            return {"statusCode": 204}

        primed = self.prime(handler, prime_settings(["/x", "/"]))
        assert primed is not None
        assert primed[0] == {"path": "/x", "error": "ValueError: bad event"}
        assert primed[1]["status"] == 204

    def test_rewrites_each_header_map_to_the_local_servers(self) -> None:
        events: list[Any] = []

        def handler(event: Any, context: Any) -> Any:
            events.append(event)
            return {"statusCode": 200}

        prime = {**prime_settings(["/"]), "apiType": "ALB", "stage": ""}
        self.prime(handler, prime)  # type: ignore[arg-type]
        headers = events[0]["multiValueHeaders"]
        assert headers["host"] == ["127.0.0.1:8000"]
        assert headers["x-forwarded-proto"] == ["http"]
        assert headers["x-forwarded-port"] == ["8000"]

    def test_stops_at_the_timeout_and_names_the_paths_skipped(self) -> None:
        def handler(event: Any, context: Any) -> Any:
            time.sleep(5)
            return {"statusCode": 200}

        primed = self.prime(handler, prime_settings(["/slow", "/a", "/b"], 100))
        assert primed == [
            {"path": "/slow", "error": "stopped at the prime timeout (100 ms)"},
            {"path": "/a", "skipped": True},
            {"path": "/b", "skipped": True},
        ]
