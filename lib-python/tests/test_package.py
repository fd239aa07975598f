"""The `cdk_wsgi_adapter.handler` entry point, imported the way Lambda does (fresh process)."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from conftest import fresh_python

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

SCRIPT = textwrap.dedent(
    """
    import json, logging, sys
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(message)s")
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    from events import make_http_event
    import cdk_wsgi_adapter
    handler = cdk_wsgi_adapter.handler  # looked up at init, as Lambda's runtime does
    print("IMPORTED", file=sys.stderr, flush=True)
    results = [
        handler(make_http_event(raw_path="/x"), None),
        handler({"source": "cdk-wsgi.warm-up", "concurrency": 1}, None),
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


# `make_handler` imported first, as a user without the construct does; then `handler`
# looked up twice, as Lambda's runtime does once at init. Markers split the log.
LAZY_SCRIPT = textwrap.dedent(
    """
    import json, logging, sys
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    before = set(sys.modules)
    from cdk_wsgi_adapter import make_handler
    import cdk_wsgi_adapter
    at_import = sorted(set(sys.modules) - before)
    built_at_import = "handler" in vars(cdk_wsgi_adapter)
    print("IMPORTED", file=sys.stderr, flush=True)
    first = cdk_wsgi_adapter.handler
    print("LOOKED UP", file=sys.stderr, flush=True)
    second = cdk_wsgi_adapter.handler
    import counted_app
    print(json.dumps({
        "at_import": at_import,
        "built_at_import": built_at_import,
        "at_lookup": sorted(set(sys.modules) - before),
        "same": first is second and vars(cdk_wsgi_adapter)["handler"] is first,
        "calls": counted_app.calls,
    }))
    """
)

COUNTED_APP = textwrap.dedent(
    """
    import sys
    calls = {}
    print("APP IMPORTED", file=sys.stderr, flush=True)

    def app(environ, start_response):
        calls[environ["PATH_INFO"]] = calls.get(environ["PATH_INFO"], 0) + 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    """
)

#: Modules only the handler's build imports, with the construct's variables set below.
BUILT_ONLY = {
    "counted_app",
    "cdk_wsgi_adapter.prime",
    "cdk_wsgi_adapter.snapstart",
    "cdk_wsgi_adapter.distribution",
    "hmac",
    "snapshot_restore_py",
}


class TestLazyHandler:
    """`handler` is built on its first lookup, once: importing the package does no work."""

    def test_import_builds_nothing_and_the_first_lookup_builds_it_once(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "counted_app.py").write_text(COUNTED_APP)
        prime = {
            "apiType": "HTTP",
            "host": "abc123.execute-api.eu-west-1.amazonaws.com",
            "stage": "$default",
            "paths": ["/primed"],
            "timeoutMillis": 600_000,
        }
        proc = fresh_python(
            LAZY_SCRIPT,
            env={
                "PYTHONPATH": str(tmp_path),
                "CDK_WSGI_APP": "counted_app:app",
                "CDK_WSGI_PRIME": json.dumps(prime),
                "CDK_WSGI_SNAP_START": "1",
                "CDK_WSGI_ORIGIN_SECRET": "kT9#vQ2!rL7$wZ4^mP8&xB1*cN6(hF3)",
                "CDK_WSGI_BASE_PATHS": "not json",  # logged when the variables are read
            },
        )
        printed = json.loads(proc.stdout)
        at_import, _, rest = proc.stderr.partition("IMPORTED\n")
        at_lookup, _, after = rest.partition("LOOKED UP\n")
        assert at_import == ""
        assert printed["built_at_import"] is False
        assert BUILT_ONLY.isdisjoint(printed["at_import"])
        assert "APP IMPORTED" in at_lookup
        assert "CDK_WSGI_BASE_PATHS must be a JSON object" in at_lookup
        assert "primed GET /primed" in at_lookup
        assert set(printed["at_lookup"]) >= BUILT_ONLY
        assert printed["same"] is True
        assert printed["calls"] == {"/primed": 1}  # primed once: built once
        assert after == ""


@pytest.fixture
def unbuilt() -> Iterator[ModuleType]:
    """The package with `handler` not built yet, as after its import; put back after."""
    import cdk_wsgi_adapter

    namespace = vars(cdk_wsgi_adapter)
    saved = namespace.pop("handler", None)
    try:
        yield cdk_wsgi_adapter
    finally:
        namespace.pop("handler", None)
        if saved is not None:
            namespace["handler"] = saved


class TestLazyHandlerInProcess:
    def test_the_first_lookup_builds_it_from_the_environment_once(
        self, unbuilt: ModuleType, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        built: list[object] = []

        def init(environ: Mapping[str, str]) -> object:
            assert environ is os.environ
            built.append(object())
            return built[-1]

        monkeypatch.setattr(unbuilt, "_init", init)
        first = unbuilt.handler
        assert unbuilt.handler is first
        assert built == [first]
        assert vars(unbuilt)["handler"] is first

    def test_an_unknown_attribute_raises_as_for_any_module(
        self, unbuilt: ModuleType
    ) -> None:
        with pytest.raises(AttributeError) as raised:
            unbuilt.no_such_name  # noqa: B018
        with pytest.raises(AttributeError) as plain:
            ModuleType("cdk_wsgi_adapter").no_such_name  # noqa: B018
        assert str(raised.value) == str(plain.value)
        assert str(raised.value) == (
            "module 'cdk_wsgi_adapter' has no attribute 'no_such_name'"
        )
        # What Python's "Did you mean" suggestions read.
        assert (raised.value.name, raised.value.obj) == ("no_such_name", unbuilt)
        assert not hasattr(unbuilt, "no_such_name")
        with pytest.raises(ImportError, match="cannot import name 'no_such_name'"):
            from cdk_wsgi_adapter import no_such_name  # noqa: F401
        assert "handler" not in vars(unbuilt)  # none of these built it


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
