"""The `cdk_wsgi_adapter.handler` entry point, imported the way Lambda does (fresh process)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from conftest import fresh_python

SCRIPT = textwrap.dedent(
    """
    import json, logging, sys
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(message)s")
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    from events import make_http_event
    import cdk_wsgi_adapter
    print("IMPORTED", file=sys.stderr, flush=True)
    results = [
        cdk_wsgi_adapter.handler(make_http_event(raw_path="/x"), None),
        cdk_wsgi_adapter.handler({"source": "cdk-wsgi.warm-up", "concurrency": 1}, None),
    ]
    print(json.dumps(results))
    """
)


def run_entry(tmp_path: Path, **env: str) -> tuple[list[dict[str, Any]], str]:
    (tmp_path / "myapp.py").write_text(
        textwrap.dedent(
            """
            import os
            if os.environ.get("BREAK"):
                raise RuntimeError("broken at import")
            class Holder:
                def wsgi_app(self, environ, start_response):
                    start_response("200 OK", [("Content-Type", "text/plain")])
                    return [environ["SCRIPT_NAME"].encode() + b"|" + environ["PATH_INFO"].encode()]
            server = Holder()
            not_callable = 3
            """
        )
    )
    proc = fresh_python(SCRIPT, env={**env, "PYTHONPATH": str(tmp_path)})
    return json.loads(proc.stdout), proc.stderr


class TestHandlerEntry:
    def test_app_is_imported_once_at_init(self, tmp_path: Path) -> None:
        (results, stderr) = run_entry(
            tmp_path,
            CDK_WSGI_APP="myapp:server.wsgi_app",
            CDK_WSGI_BASE_PATHS='{"abc123.execute-api.us-east-1.amazonaws.com": "v1"}',
        )
        assert results[0]["statusCode"] == 200
        assert results[0]["body"] == "/v1|/x"
        assert results[1] == {"warmed": 1}
        assert stderr.strip() == "IMPORTED"

    def test_unset_variable_is_silent_at_import_and_500_per_request(
        self, tmp_path: Path
    ) -> None:
        results, stderr = run_entry(tmp_path)
        assert stderr.startswith("IMPORTED")
        assert results[0]["statusCode"] == 500
        assert results[0]["body"] == "Internal Server Error"
        assert "ERROR no WSGI app to serve /x: CDK_WSGI_APP is not set" in stderr
        assert results[1] == {"warmed": 1}

    @pytest.mark.parametrize(
        ("spec", "env", "logged"),
        [
            ("myapp:server.wsgi_app", {"BREAK": "1"}, "broken at import"),
            ("myapp.server", {}, "expected 'package.module:attr'"),
            ("myapp:not_callable", {}, "is not callable"),
            ("missing_module:app", {}, "No module named 'missing_module'"),
            ("myapp:nope", {}, "has no attribute 'nope'"),
        ],
    )
    def test_import_failure_logs_traceback_and_serves_500(
        self, tmp_path: Path, spec: str, env: dict[str, str], logged: str
    ) -> None:
        results, stderr = run_entry(tmp_path, CDK_WSGI_APP=spec, **env)
        before_import, _, after_import = stderr.partition("IMPORTED")
        assert "ERROR cannot import the WSGI app CDK_WSGI_APP=" in before_import
        assert "Traceback" in before_import
        assert logged in before_import
        assert results[0] == {
            "statusCode": 500,
            "headers": {"Content-Type": "text/plain; charset=utf-8"},
            "cookies": [],
            "body": "Internal Server Error",
            "isBase64Encoded": False,
        }
        assert "no WSGI app to serve /x" in after_import
        assert results[1] == {"warmed": 1}


class TestInProcess:
    """Coverage of the entry module's branches in this process (subprocesses are not measured)."""

    def test_load_app_paths(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        import cdk_wsgi_adapter

        (tmp_path / "inproc_app.py").write_text(
            "def app(environ, start_response):\n    return []\n"
        )
        monkeypatch.syspath_prepend(str(tmp_path))
        app, imported = cdk_wsgi_adapter._load_app("inproc_app:app")
        assert (app.__name__, imported) == ("app", True)
        assert cdk_wsgi_adapter._load_app("inproc_app:missing")[1] is False
        assert "cannot import the WSGI app" in caplog.text
        app, imported = cdk_wsgi_adapter._load_app(None)
        assert (app.__name__, imported) == ("app", False)

    @pytest.mark.parametrize(
        ("spec", "error"),
        [
            ("no_colon", ValueError),
            (":attr", ValueError),
            ("os:", ValueError),
            ("os:sep", TypeError),
        ],
    )
    def test_import_app_rejects_bad_specs(
        self, spec: str, error: type[Exception]
    ) -> None:
        from cdk_wsgi_adapter.loader import import_app

        with pytest.raises(error):
            import_app(spec)

    def test_unavailable_app_answers_500_and_logs(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        from wsgiref.validate import validator

        from cdk_wsgi_adapter import make_handler
        from cdk_wsgi_adapter.loader import unavailable_app
        from events import make_rest_event

        handler = make_handler(validator(unavailable_app("because")))
        response = handler(make_rest_event(path="/"), None)
        assert response["statusCode"] == 500
        assert "no WSGI app to serve /: because" in caplog.text

    def test_compat_is_importable_at_run_time(self) -> None:
        import cdk_wsgi_adapter.compat as compat

        assert not hasattr(compat, "WSGIApplication")  # annotations only
