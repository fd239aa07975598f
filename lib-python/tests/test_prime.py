"""Priming: GET requests sent through the real handler at init, shaped as the front door's."""

from __future__ import annotations

import importlib
import json
import logging
import re
import signal
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from wsgiref.validate import validator

import pytest

import cdk_wsgi_adapter
from cdk_wsgi_adapter.adapter import handler_for
from cdk_wsgi_adapter.config import (
    ORIGIN_SECRET_HEADER,
    VIEWER_ADDRESS_HEADER,
    VIEWER_HOST_HEADER,
    VIEWER_PROTO_HEADER,
    Options,
    PrimeConfig,
)
from cdk_wsgi_adapter.prime import (
    SOURCE_IP,
    USER_AGENT,
    alb_event,
    function_url_event,
    http_event,
    prime,
    rest_event,
)
from conftest import fresh_python, load_event
from events import (
    make_alb_event,
    make_function_url_event,
    make_http_event,
    make_rest_event,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from cdk_wsgi_adapter.compat import StartResponse, WSGIApplication, WSGIEnvironment

EXECUTE_API = "abc123.execute-api.eu-west-1.amazonaws.com"
DOMAIN = "api.example.com"
# The function URL host of events.make_function_url_event.
FUNCTION_URL = "abcdefgh.lambda-url.us-east-1.on.aws"
# The load balancer's DNS name, which the construct primes with.
ALB = "my-alb-1234567890.eu-west-1.elb.amazonaws.com"
# What each front door's events tell the app: environ["cdk_wsgi.source"].
SOURCES = {
    "REST": "rest_v1",
    "HTTP": "http_v2",
    "FUNCTION_URL": "function_url",
    "ALB": "alb",
}
PRIMED = re.compile(r"primed GET (\S+): (\d{3}) in \d+\.\d ms")


class Recorder:
    """A validator-wrapped app recording each request's environ; `statuses` maps a
    PATH_INFO to its status line, or to "raise"; `raises` maps one to an exception
    the app raises."""

    def __init__(
        self,
        statuses: Mapping[str, str] | None = None,
        raises: Mapping[str, BaseException] | None = None,
    ) -> None:
        self.statuses = statuses or {}
        self.raises = raises or {}
        self.environs: list[WSGIEnvironment] = []
        self.app: WSGIApplication = validator(self._app)

    def _app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        self.environs.append(environ)
        path = environ["PATH_INFO"]
        if path in self.raises:
            raise self.raises[path]
        status = self.statuses.get(path, "200 OK")
        if status == "raise":
            raise RuntimeError("first request failed")
        start_response(status, [("Content-Type", "text/plain")])
        return [b"primed"]


#: A budget no test comes near, where the budget is not what is tested.
AMPLE_MILLIS = 600_000


def config(
    api_type: str, host: str, stage: str, *paths: str, timeout: int = AMPLE_MILLIS
) -> PrimeConfig:
    return PrimeConfig(
        api_type=api_type, host=host, stage=stage, paths=paths, timeout_millis=timeout
    )


def run_prime(
    app: WSGIApplication,
    prime_config: PrimeConfig,
    base_paths: Mapping[str, str] | None = None,
    origin_secret: str | None = None,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Prime `app` through the real handler; the (event, result) of each request."""
    options = Options(base_paths=base_paths, origin_secret=origin_secret)
    handler = handler_for(app, options)
    calls: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def recording(event: dict[str, Any], context: Any) -> dict[str, Any]:
        assert context is None
        result = handler(event, context)
        calls.append((event, result))
        return result

    prime(recording, prime_config, options)
    return calls


def primed_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str]]:
    """(level, path, status) of each "primed" record."""
    lines = []
    for record in caplog.records:
        match = PRIMED.fullmatch(record.getMessage())
        if match:
            lines.append((record.levelname, match[1], match[2]))
    return lines


@pytest.fixture
def info(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="cdk_wsgi_adapter")
    return caplog


# api_type, host, stage, base_paths, path -> the front door's path field, SCRIPT_NAME, PATH_INFO
FRONT_DOORS = [
    ("REST", EXECUTE_API, "prod", None, "/health", "/health", "/prod", "/health"),
    ("REST", EXECUTE_API, "prod", None, "/", "/", "/prod", "/"),
    ("REST", DOMAIN, "prod", {DOMAIN: "v1"}, "/health", "/v1/health", "/v1", "/health"),
    ("REST", DOMAIN, "prod", {DOMAIN: "v1"}, "/", "/v1/", "/v1", "/"),
    (
        "REST",
        DOMAIN,
        "prod",
        {DOMAIN: "v1/api"},
        "/a/b",
        "/v1/api/a/b",
        "/v1/api",
        "/a/b",
    ),
    ("REST", DOMAIN, "prod", {DOMAIN: ""}, "/health", "/health", "", "/health"),
    ("REST", "API.Example.COM", "prod", {DOMAIN: "v1"}, "/x", "/v1/x", "/v1", "/x"),
    ("HTTP", EXECUTE_API, "prod", None, "/health", "/prod/health", "/prod", "/health"),
    ("HTTP", EXECUTE_API, "prod", None, "/", "/prod/", "/prod", "/"),
    ("HTTP", EXECUTE_API, "$default", None, "/health", "/health", "", "/health"),
    (
        "HTTP",
        DOMAIN,
        "$default",
        {DOMAIN: "v1"},
        "/health",
        "/health",
        "/v1",
        "/health",
    ),
    ("HTTP", DOMAIN, "prod", {DOMAIN: "v1"}, "/health", "/health", "/v1", "/health"),
    ("HTTP", DOMAIN, "$default", {DOMAIN: ""}, "/", "/", "", "/"),
    # No stage and no custom domain: SCRIPT_NAME is empty.
    (
        "FUNCTION_URL",
        FUNCTION_URL,
        "$default",
        None,
        "/health",
        "/health",
        "",
        "/health",
    ),
    ("FUNCTION_URL", FUNCTION_URL, "$default", None, "/", "/", "", "/"),
    ("FUNCTION_URL", FUNCTION_URL, "$default", None, "/a/b/", "/a/b/", "", "/a/b/"),
    # A load balancer has no stage either, whatever the config says.
    ("ALB", ALB, "", None, "/health", "/health", "", "/health"),
    ("ALB", ALB, "", None, "/", "/", "", "/"),
    ("ALB", ALB.upper(), "prod", None, "/a/b/", "/a/b/", "", "/a/b/"),
]


class TestFrontDoorPaths:
    @pytest.mark.parametrize(
        (
            "api_type",
            "host",
            "stage",
            "base_paths",
            "path",
            "event_path",
            "script_name",
            "path_info",
        ),
        FRONT_DOORS,
    )
    def test_the_app_sees_the_request_a_client_would_send(
        self,
        api_type: str,
        host: str,
        stage: str,
        base_paths: dict[str, str] | None,
        path: str,
        event_path: str,
        script_name: str,
        path_info: str,
    ) -> None:
        recorder = Recorder()
        [(event, result)] = run_prime(
            recorder.app, config(api_type, host, stage, path), base_paths
        )
        assert event["path" if api_type in ("REST", "ALB") else "rawPath"] == event_path
        assert result["statusCode"] == 200
        [environ] = recorder.environs
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == (
            script_name,
            path_info,
        )
        assert environ["REQUEST_METHOD"] == "GET"
        assert environ["QUERY_STRING"] == ""
        assert environ["HTTP_HOST"] == environ["SERVER_NAME"] == host
        assert environ["HTTP_USER_AGENT"] == USER_AGENT
        assert environ["HTTP_ACCEPT"] == "*/*"
        assert environ["REMOTE_ADDR"] == "127.0.0.1"
        assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == ("https", "443")
        assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
        assert environ["cdk_wsgi.source"] == SOURCES[api_type]
        assert environ["cdk_wsgi.context"] is None
        assert "CONTENT_LENGTH" not in environ
        assert environ["wsgi.input"].read(1024) == b""

    @pytest.mark.parametrize(
        ("api_type", "host", "stage", "base_paths", "path"),
        [case[:5] for case in FRONT_DOORS],
    )
    def test_same_paths_as_the_factory_events_of_the_other_tests(
        self,
        api_type: str,
        host: str,
        stage: str,
        base_paths: dict[str, str] | None,
        path: str,
    ) -> None:
        primed, factory = Recorder(), Recorder()
        [(event, _)] = run_prime(
            primed.app, config(api_type, host, stage, path), base_paths
        )
        handler = handler_for(factory.app, Options(base_paths=base_paths))
        if api_type == "REST":
            handler(make_rest_event(path=event["path"], stage=stage, domain=host), None)
        elif api_type == "FUNCTION_URL":
            handler(make_function_url_event(raw_path=event["rawPath"]), None)
        elif api_type == "ALB":
            event = make_alb_event(
                path=event["path"], headers={"host": [host]}, multi_value=True
            )
            handler(event, None)
        else:
            handler(
                make_http_event(raw_path=event["rawPath"], stage=stage, domain=host),
                None,
            )
        keys = ("SCRIPT_NAME", "PATH_INFO", "HTTP_HOST", "cdk_wsgi.raw_uri")
        assert [primed.environs[0][k] for k in keys] == [
            factory.environs[0][k] for k in keys
        ]


class TestRealEventShapes:
    """Checked against the real samples in tests/events."""

    ENVIRON_KEYS = (
        "SCRIPT_NAME",
        "PATH_INFO",
        "HTTP_HOST",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "wsgi.url_scheme",
        "HTTP_X_FORWARDED_PORT",
        "HTTP_X_FORWARDED_PROTO",
        "cdk_wsgi.source",
    )

    def test_rest_matches_a_sam_sample_of_the_same_request(self) -> None:
        sample = load_event("aws-sam-cli/apigateway/AwsProxy.json")
        # The adapter reads multiValueHeaders, as REST sends both maps.
        [host] = sample["multiValueHeaders"]["Host"]
        event = rest_event(config("REST", host, "prod"), "/path/to/resource", None)
        for key in ("resource", "path"):
            assert event[key] == sample[key]
        for key in ("resourcePath", "path", "stage", "protocol"):
            assert event["requestContext"][key] == sample["requestContext"][key]
        primed, real = Recorder(), Recorder()
        handler_for(primed.app, Options())(event, None)
        handler_for(real.app, Options())(sample, None)
        assert [primed.environs[0][k] for k in self.ENVIRON_KEYS] == [
            real.environs[0][k] for k in self.ENVIRON_KEYS
        ]

    def test_http_matches_a_sample_with_a_named_stage(self) -> None:
        sample = load_event(
            "aws-lambda-dotnet/AspNetCoreServer.Test/values-get-all-httpapi-v2-with-stage.json"
        )
        host = sample["requestContext"]["domainName"]
        event = http_event(config("HTTP", host, "beta"), "/api/values", None)
        assert event["rawPath"] == sample["rawPath"] == "/beta/api/values"
        assert (
            event["requestContext"]["http"]["path"]
            == sample["requestContext"]["http"]["path"]
        )
        primed, real = Recorder(), Recorder()
        handler_for(primed.app, Options())(event, None)
        handler_for(real.app, Options())(sample, None)
        keys = (
            *self.ENVIRON_KEYS,
            "REQUEST_METHOD",
            "QUERY_STRING",
            "cdk_wsgi.raw_uri",
        )
        assert [primed.environs[0][k] for k in keys] == [
            real.environs[0][k] for k in keys
        ]

    def test_function_url_matches_a_sample_with_auth_none(self) -> None:
        sample = load_event("powertools-lambda-python/lambdaFunctionUrlEvent.json")
        host = sample["requestContext"]["domainName"]
        event = function_url_event(config("FUNCTION_URL", host, "$default"), "/")
        for key in ("version", "routeKey", "rawPath", "rawQueryString"):
            assert event[key] == sample[key]
        context_keys = ("accountId", "apiId", "domainName", "domainPrefix", "routeKey")
        assert [event["requestContext"][k] for k in (*context_keys, "stage")] == [
            sample["requestContext"][k] for k in (*context_keys, "stage")
        ]
        assert event["requestContext"]["accountId"] == "anonymous"
        primed, real = Recorder(), Recorder()
        handler_for(primed.app, Options())(event, None)
        handler_for(real.app, Options())(sample, None)
        keys = (*self.ENVIRON_KEYS, "REQUEST_METHOD", "QUERY_STRING")
        assert [primed.environs[0][k] for k in keys] == [
            real.environs[0][k] for k in keys
        ]
        assert primed.environs[0]["cdk_wsgi.source"] == "function_url"

    def test_alb_matches_a_multi_value_sample(self) -> None:
        sample = load_event(
            "aws-lambda-go/alb-lambda-target-request-multivalue-headers.json"
        )
        [host] = sample["multiValueHeaders"]["host"]
        event = alb_event(config("ALB", host, ""), "/")
        for key in ("httpMethod", "path", "body", "isBase64Encoded"):
            assert event[key] == sample[key]
        # Multi-value mode: only the multi-value maps, as the target group sends them.
        assert "headers" not in event
        assert "queryStringParameters" not in event
        assert all(name == name.lower() for name in event["multiValueHeaders"])
        primed, real = Recorder(), Recorder()
        handler_for(primed.app, Options())(event, None)
        result = handler_for(real.app, Options())(sample, None)
        keys = (
            "SCRIPT_NAME",
            "PATH_INFO",
            "HTTP_HOST",
            "SERVER_NAME",
            "SERVER_PROTOCOL",
        )
        assert [primed.environs[0][k] for k in (*keys, "REQUEST_METHOD")] == [
            real.environs[0][k] for k in (*keys, "REQUEST_METHOD")
        ]
        assert primed.environs[0]["cdk_wsgi.source"] == "alb"
        # The response takes the request's mode: multiValueHeaders, as ALB requires.
        assert "multiValueHeaders" in result
        assert "headers" not in result

    def test_alb_answers_in_multi_value_mode(self) -> None:
        handler = handler_for(Recorder().app, Options())
        result = handler(alb_event(config("ALB", ALB, ""), "/"), None)
        assert result == {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "multiValueHeaders": {"Content-Type": ["text/plain"]},
            "body": "primed",
            "isBase64Encoded": False,
        }

    @pytest.mark.parametrize(
        ("make", "sample"),
        [
            (
                lambda: rest_event(config("REST", EXECUTE_API, "prod"), "/a", None),
                "powertools-lambda-python/apiGatewayProxyEvent.json",
            ),
            (
                lambda: rest_event(config("REST", EXECUTE_API, "prod"), "/", None),
                "powertools-lambda-python/apiGatewayProxyEventAnotherPath.json",
            ),
            (
                lambda: http_event(config("HTTP", EXECUTE_API, "prod"), "/a", None),
                "aws-lambda-dotnet/AspNetCoreServer.Test/values-get-all-httpapi-v2-with-stage.json",
            ),
            (
                lambda: function_url_event(
                    config("FUNCTION_URL", FUNCTION_URL, "$default"), "/a"
                ),
                "aws-lambda-go/lambdaurl/function-url-domain-only-get-request.json",
            ),
            (
                lambda: alb_event(config("ALB", ALB, ""), "/a"),
                "aws-lambda-go/alb-lambda-target-request-multivalue-headers.json",
            ),
        ],
    )
    def test_every_field_is_one_real_events_have(self, make: Any, sample: str) -> None:
        def assert_within(
            made: dict[str, Any], real: dict[str, Any], where: str
        ) -> None:
            for key, value in made.items():
                assert key in real, f"{where}{key}"
                if isinstance(value, dict) and isinstance(real[key], dict):
                    assert_within(value, real[key], f"{where}{key}.")

        event = make()
        real = load_event(sample)
        # Header names are the request's own; the rest of the keys are the format's.
        assert_within({k: v for k, v in event.items() if "eaders" not in k}, real, "")
        # No body: absent, or "" as load balancers send it.
        assert (event["isBase64Encoded"], event.get("body") or None) == (False, None)

    def test_rest_root_and_proxy_resources(self) -> None:
        root = rest_event(config("REST", EXECUTE_API, "prod"), "/", None)
        assert (root["resource"], root["pathParameters"]) == ("/", None)
        nested = rest_event(config("REST", EXECUTE_API, "prod"), "/a/b", None)
        assert (nested["resource"], nested["pathParameters"]) == (
            "/{proxy+}",
            {"proxy": "a/b"},
        )
        assert nested["multiValueHeaders"] == {
            name: [value] for name, value in nested["headers"].items()
        }

    def test_http_header_names_are_lowercase(self) -> None:
        event = http_event(config("HTTP", EXECUTE_API, "$default"), "/", None)
        assert all(name == name.lower() for name in event["headers"])
        assert event["headers"]["host"] == EXECUTE_API
        assert event["routeKey"] == event["requestContext"]["routeKey"] == "$default"

    def test_function_url_context_has_no_stage_and_an_anonymous_caller(self) -> None:
        # A function URL has no stages: a stage in the config changes nothing.
        event = function_url_event(config("FUNCTION_URL", FUNCTION_URL, "prod"), "/x")
        assert (event["rawPath"], event["requestContext"]["http"]["path"]) == (
            "/x",
            "/x",
        )
        assert event["requestContext"] == {
            "accountId": "anonymous",
            "apiId": "abcdefgh",
            "domainName": FUNCTION_URL,
            "domainPrefix": "abcdefgh",
            "http": {
                "method": "GET",
                "path": "/x",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": USER_AGENT,
            },
            "routeKey": "$default",
            "stage": "$default",
        }
        assert all(name == name.lower() for name in event["headers"])
        assert event["headers"]["host"] == FUNCTION_URL


class TestLogging:
    def test_each_status_is_logged_at_its_level(
        self, info: pytest.LogCaptureFixture
    ) -> None:
        recorder = Recorder(
            {
                "/missing": "404 Not Found",
                "/moved": "301 Moved Permanently",
                "/broken": "500 Internal Server Error",
                "/boom": "raise",
            }
        )
        calls = run_prime(
            recorder.app,
            config(
                "REST",
                EXECUTE_API,
                "prod",
                "/",
                "/moved",
                "/missing",
                "/broken",
                "/boom",
            ),
        )
        assert [result["statusCode"] for _, result in calls] == [
            200,
            301,
            404,
            500,
            500,
        ]
        assert primed_lines(info) == [
            ("INFO", "/", "200"),
            ("INFO", "/moved", "301"),
            ("WARNING", "/missing", "404"),
            ("WARNING", "/broken", "500"),
            ("WARNING", "/boom", "500"),
        ]
        # The app's exception is the runner's to log, with its traceback.
        [error] = [r for r in info.records if r.levelname == "ERROR"]
        assert error.getMessage() == "unhandled exception in the WSGI app for GET /boom"
        assert error.exc_info is not None

    def test_a_handler_exception_is_logged_and_the_next_path_primed(
        self, info: pytest.LogCaptureFixture
    ) -> None:
        seen: list[str] = []

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            seen.append(event["path"])
            if event["path"] == "/first":
                raise MemoryError("out of memory")
            return {"statusCode": 204}

        prime(
            handler, config("REST", EXECUTE_API, "prod", "/first", "/second"), Options()
        )
        assert seen == ["/first", "/second"]
        [error] = [r for r in info.records if r.levelname == "ERROR"]
        assert error.getMessage() == "priming GET /first failed"
        assert error.exc_info is not None
        assert isinstance(error.exc_info[1], MemoryError)
        assert primed_lines(info) == [("INFO", "/second", "204")]

    def test_no_paths_no_requests(self, info: pytest.LogCaptureFixture) -> None:
        recorder = Recorder()
        assert run_prime(recorder.app, config("HTTP", EXECUTE_API, "$default")) == []
        assert info.records == []


@pytest.mark.parametrize("framework", ["django", "flask"])
class TestFrameworks:
    @pytest.mark.parametrize(
        ("api_type", "host", "stage", "base_paths", "url"),
        [
            ("REST", EXECUTE_API, "prod", None, f"https://{EXECUTE_API}/prod/hello"),
            ("HTTP", EXECUTE_API, "$default", None, f"https://{EXECUTE_API}/hello"),
            ("HTTP", EXECUTE_API, "prod", None, f"https://{EXECUTE_API}/prod/hello"),
            ("REST", DOMAIN, "prod", {DOMAIN: "v1"}, f"https://{DOMAIN}/v1/hello"),
            ("HTTP", DOMAIN, "$default", {DOMAIN: "v1"}, f"https://{DOMAIN}/v1/hello"),
            (
                "FUNCTION_URL",
                FUNCTION_URL,
                "$default",
                None,
                f"https://{FUNCTION_URL}/hello",
            ),
        ],
    )
    def test_primed_through_the_real_app(
        self,
        framework: str,
        api_type: str,
        host: str,
        stage: str,
        base_paths: dict[str, str] | None,
        url: str,
        info: pytest.LogCaptureFixture,
    ) -> None:
        app = importlib.import_module(f"apps.{framework}_app").app
        calls = run_prime(
            validator(app),
            config(api_type, host, stage, "/hello", "/url", "/nowhere"),
            base_paths,
        )
        assert [(r["statusCode"], r["body"]) for _, r in calls[:2]] == [
            (200, "hello"),
            (200, url),  # the framework builds URLs from SCRIPT_NAME, as for clients
        ]
        assert calls[2][1]["statusCode"] == 404
        assert primed_lines(info) == [
            ("INFO", "/hello", "200"),
            ("INFO", "/url", "200"),
            ("WARNING", "/nowhere", "404"),
        ]


SECRET = "kT9#vQ2!rL7$wZ4^mP8&xB1*cN6(hF3)"
#: The distribution's own domain name, or its alternate one: the visitor's host.
SITE = "www.example.com"


class TestThroughDistribution:
    """With CDK_WSGI_ORIGIN_SECRET set, a primed request carries the distribution's
    headers, so the app sees it as a visitor's (test_distribution.py)."""

    @pytest.mark.parametrize(
        ("api_type", "host", "stage"),
        [
            ("REST", EXECUTE_API, "prod"),
            ("REST", SITE, "prod"),
            ("HTTP", EXECUTE_API, "$default"),
            ("HTTP", EXECUTE_API, "prod"),
            ("FUNCTION_URL", FUNCTION_URL, "$default"),
            ("ALB", ALB, ""),
        ],
    )
    def test_the_app_sees_a_visitor_s_request(
        self, api_type: str, host: str, stage: str
    ) -> None:
        recorder = Recorder()
        [(event, result)] = run_prime(
            recorder.app, config(api_type, host, stage, "/health"), origin_secret=SECRET
        )
        assert result["statusCode"] == 200
        [environ] = recorder.environs
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/health")
        assert environ["HTTP_HOST"] == environ["SERVER_NAME"] == host
        assert environ["REMOTE_ADDR"] == SOURCE_IP
        assert not any(key.startswith("HTTP_X_CDK_WSGI_") for key in environ)
        sent = {
            ORIGIN_SECRET_HEADER: SECRET,
            VIEWER_HOST_HEADER: host,
            VIEWER_ADDRESS_HEADER: SOURCE_IP,
            VIEWER_PROTO_HEADER: "https",
        }
        if "headers" in event:
            assert event["headers"].items() >= sent.items()
        if "multiValueHeaders" in event:
            assert (
                event["multiValueHeaders"].items()
                >= {name: [value] for name, value in sent.items()}.items()
            )

    def test_without_the_secret_no_distribution_headers(self) -> None:
        [(event, _)] = run_prime(
            Recorder().app, config("REST", EXECUTE_API, "prod", "/health")
        )
        names = {*event["headers"], *event["multiValueHeaders"]}
        assert not any(name.lower().startswith("x-cdk-wsgi-") for name in names)

    @pytest.mark.parametrize("framework", ["django", "flask"])
    @pytest.mark.parametrize(
        ("api_type", "host", "stage"),
        [
            ("REST", EXECUTE_API, "prod"),
            ("REST", SITE, "prod"),
            ("HTTP", EXECUTE_API, "prod"),
            ("FUNCTION_URL", FUNCTION_URL, "$default"),
        ],
    )
    def test_urls_name_the_site_without_a_stage(
        self, framework: str, api_type: str, host: str, stage: str
    ) -> None:
        app = importlib.import_module(f"apps.{framework}_app").app
        calls = run_prime(
            validator(app),
            config(api_type, host, stage, "/url"),
            origin_secret=SECRET,
        )
        assert [(r["statusCode"], r["body"]) for _, r in calls] == [
            (200, f"https://{host}/hello")
        ]


class SlowBody:
    """A result iterable that sleeps `seconds` before its one chunk (bounded: no test
    lets it run out), and records close()."""

    def __init__(self, seconds: float, *, swallow: bool = False) -> None:
        self.seconds = seconds
        self.swallow = swallow
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            time.sleep(self.seconds)
        except BaseException:
            if not self.swallow:
                raise
        yield b"slow"

    def close(self) -> None:
        self.closed = True


class SlowApp:
    """Answers "/slow" with a SlowBody, any other path at once."""

    def __init__(self, seconds: float, *, swallow: bool = False) -> None:
        self.body = SlowBody(seconds, swallow=swallow)
        self.paths: list[str] = []

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        self.paths.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return self.body if environ["PATH_INFO"] == "/slow" else [b"fast"]


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


class TestExceptions:
    """Whatever a primed request raises, init goes on to the next path."""

    def test_system_exit_and_keyboard_interrupt_from_the_app(
        self, info: pytest.LogCaptureFixture
    ) -> None:
        recorder = Recorder(
            raises={"/exit": SystemExit(3), "/interrupt": KeyboardInterrupt()}
        )
        calls = run_prime(
            recorder.app,
            config("HTTP", EXECUTE_API, "$default", "/exit", "/interrupt", "/ok"),
        )
        assert [result["statusCode"] for _, result in calls] == [500, 500, 200]
        assert primed_lines(info) == [
            ("WARNING", "/exit", "500"),
            ("WARNING", "/interrupt", "500"),
            ("INFO", "/ok", "200"),
        ]
        logged = [r for r in info.records if r.levelname == "ERROR"]
        assert [r.getMessage() for r in logged] == [
            "unhandled exception in the WSGI app for GET /exit",
            "unhandled exception in the WSGI app for GET /interrupt",
        ]
        assert [type(r.exc_info[1]) for r in logged if r.exc_info] == [
            SystemExit,
            KeyboardInterrupt,
        ]

    @pytest.mark.parametrize(
        "exception",
        [SystemExit(1), KeyboardInterrupt(), GeneratorExit(), KeyError("x")],
    )
    def test_anything_the_handler_itself_raises(
        self, exception: BaseException, info: pytest.LogCaptureFixture
    ) -> None:
        seen: list[str] = []

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            seen.append(event["rawPath"])
            if event["rawPath"] == "/a":
                raise exception
            return {"statusCode": 204}

        prime(handler, config("HTTP", EXECUTE_API, "$default", "/a", "/b"), Options())
        assert seen == ["/a", "/b"]
        [failure] = [r for r in info.records if r.levelname == "ERROR"]
        assert failure.getMessage() == "priming GET /a failed"
        assert failure.exc_info is not None and failure.exc_info[1] is exception
        assert primed_lines(info) == [("INFO", "/b", "204")]


class TestBudget:
    """timeoutMillis: the path in progress is interrupted, the rest skipped."""

    def test_a_slow_path_is_interrupted_and_the_rest_named(
        self, info: pytest.LogCaptureFixture
    ) -> None:
        app = SlowApp(60)
        before = signal.getsignal(signal.SIGALRM)
        calls = run_prime(
            app,
            config(
                "REST", EXECUTE_API, "prod", "/fast", "/slow", "/a", "/b", timeout=200
            ),
        )
        assert app.paths == ["/fast", "/slow"]
        assert [result["statusCode"] for _, result in calls] == [200]
        assert app.body.closed  # Django's request_finished still runs
        assert warnings_of(info) == [
            "priming stopped at its 200 ms budget, interrupting GET /slow; skipped /a, /b"
        ]
        assert primed_lines(info) == [("INFO", "/fast", "200")]
        # The previous handler is back and no timer is left armed.
        assert signal.getsignal(signal.SIGALRM) is before
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)

    def test_the_last_path_interrupted_skips_nothing(
        self, info: pytest.LogCaptureFixture
    ) -> None:
        run_prime(
            SlowApp(60), config("HTTP", EXECUTE_API, "$default", "/slow", timeout=50)
        )
        assert warnings_of(info) == [
            "priming stopped at its 50 ms budget, interrupting GET /slow"
        ]

    def test_an_app_that_swallows_the_interruption_still_stops_priming(
        self, info: pytest.LogCaptureFixture
    ) -> None:
        app = SlowApp(60, swallow=True)
        run_prime(
            app, config("HTTP", EXECUTE_API, "$default", "/slow", "/a", timeout=50)
        )
        assert app.paths == ["/slow"]
        assert primed_lines(info) == [("INFO", "/slow", "200")]
        assert warnings_of(info) == ["priming stopped at its 50 ms budget; skipped /a"]

    def test_outside_the_main_thread_the_budget_is_checked_between_paths(
        self, info: pytest.LogCaptureFixture
    ) -> None:
        # No signal can interrupt the path there: it runs to its end (0.3 s, past
        # the budget), and the paths after it are skipped.
        app = SlowApp(0.3)
        thread = threading.Thread(
            target=run_prime,
            args=(
                app,
                config(
                    "HTTP", EXECUTE_API, "$default", "/slow", "/a", "/b", timeout=50
                ),
            ),
        )
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert app.paths == ["/slow"]
        assert primed_lines(info) == [("INFO", "/slow", "200")]
        assert warnings_of(info) == [
            "priming stopped at its 50 ms budget; skipped /a, /b"
        ]

    def test_paths_within_the_budget_are_all_primed(
        self, info: pytest.LogCaptureFixture
    ) -> None:
        app = SlowApp(60)
        run_prime(app, config("HTTP", EXECUTE_API, "$default", "/a", "/b"))
        assert app.paths == ["/a", "/b"]
        assert warnings_of(info) == []


class TestInit:
    """cdk_wsgi_adapter._init, which builds `handler` from os.environ on its first lookup."""

    VALUE = json.dumps(
        {
            "apiType": "HTTP",
            "host": EXECUTE_API,
            "stage": "$default",
            "paths": ["/a", "/b", "/a"],
            "timeoutMillis": AMPLE_MILLIS,
        }
    )

    @pytest.fixture
    def recorder(self, monkeypatch: pytest.MonkeyPatch) -> Recorder:
        recorder = Recorder()
        monkeypatch.setattr(
            sys.modules[__name__], "RECORDED_APP", recorder.app, raising=False
        )
        return recorder

    def paths(self, recorder: Recorder, **environ: str) -> list[str]:
        cdk_wsgi_adapter._init({"CDK_WSGI_APP": f"{__name__}:RECORDED_APP", **environ})
        return [environ["PATH_INFO"] for environ in recorder.environs]

    def test_primes_each_path_once(
        self, recorder: Recorder, info: pytest.LogCaptureFixture
    ) -> None:
        assert self.paths(recorder, CDK_WSGI_PRIME=f" {self.VALUE} ") == ["/a", "/b"]
        assert primed_lines(info) == [("INFO", "/a", "200"), ("INFO", "/b", "200")]

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_nothing_primed_when_unset(
        self, value: str | None, recorder: Recorder, info: pytest.LogCaptureFixture
    ) -> None:
        environ = {} if value is None else {"CDK_WSGI_PRIME": value}
        assert self.paths(recorder, **environ) == []
        assert info.records == []

    def test_malformed_value_is_logged_and_nothing_primed(
        self, recorder: Recorder, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert self.paths(recorder, CDK_WSGI_PRIME='{"apiType": "SOAP"}') == []
        assert "CDK_WSGI_PRIME is malformed (apiType must be" in caplog.text

    def test_an_app_that_failed_to_import_is_not_primed(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="cdk_wsgi_adapter")
        handler = cdk_wsgi_adapter._init(
            {"CDK_WSGI_APP": f"{__name__}:NO_SUCH_APP", "CDK_WSGI_PRIME": self.VALUE}
        )
        assert "cannot import the WSGI app" in caplog.text
        assert "primed" not in caplog.text
        assert handler(make_http_event(raw_path="/a"), None)["statusCode"] == 500


# The package imported the way Lambda does: a fresh process, logging as the runtime's.
SCRIPT = textwrap.dedent(
    """
    import json, logging, sys
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    before = set(sys.modules)
    import cdk_wsgi_adapter
    handler = cdk_wsgi_adapter.handler  # looked up at init, as Lambda's runtime does
    loaded = sorted(set(sys.modules) - before)
    print("IMPORTED", file=sys.stderr, flush=True)
    import primed_app
    from events import make_rest_event
    calls_at_init = dict(primed_app.calls)
    result = handler(make_rest_event(path="/"), None)
    import signal
    alarm = [signal.getsignal(signal.SIGALRM) is signal.SIG_DFL, signal.getitimer(signal.ITIMER_REAL)]
    print(json.dumps({"loaded": loaded, "calls_at_init": calls_at_init, "status": result["statusCode"], "alarm": alarm}))
    """
)

APP = textwrap.dedent(
    """
    import sys, time

    calls = {}
    STATUSES = {"/missing": "404 Not Found", "/broken": "500 Internal Server Error"}

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        calls[path] = calls.get(path, 0) + 1
        if path == "/boom":
            raise RuntimeError("the first request breaks")
        if path == "/exit":
            sys.exit("the app exits")
        if path == "/interrupt":
            raise KeyboardInterrupt
        if path == "/slow":
            time.sleep(30)  # far past the test's budget; the subprocess timeout bounds it
        start_response(STATUSES.get(path, "200 OK"), [("Content-Type", "text/plain")])
        return [b"ok"]
    """
)


def init(tmp_path: Path, **env: str) -> tuple[dict[str, Any], str]:
    """Import the package in a fresh process; (what it printed, stderr up to the import)."""
    (tmp_path / "primed_app.py").write_text(APP)
    environ = {**env, "CDK_WSGI_APP": "primed_app:app", "PYTHONPATH": str(tmp_path)}
    proc = fresh_python(SCRIPT, env=environ)
    before_import, _, _ = proc.stderr.partition("IMPORTED")
    return json.loads(proc.stdout), before_import


class TestAtInit:
    def test_failures_are_logged_and_init_completes(self, tmp_path: Path) -> None:
        prime_value = json.dumps(
            {
                "apiType": "REST",
                "host": EXECUTE_API,
                "stage": "prod",
                "paths": ["/", "/missing", "/broken", "/boom", "/missing"],
                "timeoutMillis": AMPLE_MILLIS,
            }
        )
        printed, logged = init(tmp_path, CDK_WSGI_PRIME=prime_value)
        assert printed["calls_at_init"] == {
            "/": 1,
            "/missing": 1,
            "/broken": 1,
            "/boom": 1,
        }
        assert printed["status"] == 200  # the handler still serves requests
        assert "cdk_wsgi_adapter.prime" in printed["loaded"]
        lines = logged.splitlines()
        assert [
            line.rpartition(" in ")[0] for line in lines if " primed GET " in line
        ] == [
            "INFO primed GET /: 200",
            "WARNING primed GET /missing: 404",
            "WARNING primed GET /broken: 500",
            "WARNING primed GET /boom: 500",
        ]
        assert "ERROR unhandled exception in the WSGI app for GET /boom" in lines
        assert "RuntimeError: the first request breaks" in lines
        assert printed["alarm"] == [True, [0.0, 0.0]]

    def test_system_exit_and_keyboard_interrupt_are_logged_and_init_completes(
        self, tmp_path: Path
    ) -> None:
        prime_value = json.dumps(
            {
                "apiType": "HTTP",
                "host": EXECUTE_API,
                "stage": "$default",
                "paths": ["/exit", "/interrupt", "/"],
                "timeoutMillis": AMPLE_MILLIS,
            }
        )
        printed, logged = init(tmp_path, CDK_WSGI_PRIME=prime_value)
        assert printed["calls_at_init"] == {"/exit": 1, "/interrupt": 1, "/": 1}
        assert printed["status"] == 200
        lines = logged.splitlines()
        assert [
            line.rpartition(" in ")[0] for line in lines if " primed GET " in line
        ] == [
            "WARNING primed GET /exit: 500",
            "WARNING primed GET /interrupt: 500",
            "INFO primed GET /: 200",
        ]
        # Each with its traceback.
        assert "ERROR unhandled exception in the WSGI app for GET /exit" in lines
        assert "SystemExit: the app exits" in lines
        assert "ERROR unhandled exception in the WSGI app for GET /interrupt" in lines
        assert "KeyboardInterrupt" in lines

    def test_a_slow_path_is_interrupted_at_the_budget_and_init_completes(
        self, tmp_path: Path
    ) -> None:
        prime_value = json.dumps(
            {
                "apiType": "REST",
                "host": EXECUTE_API,
                "stage": "prod",
                "paths": ["/", "/slow", "/missing", "/boom"],
                "timeoutMillis": 2000,
            }
        )
        printed, logged = init(tmp_path, CDK_WSGI_PRIME=prime_value)
        assert printed["calls_at_init"] == {"/": 1, "/slow": 1}
        assert printed["status"] == 200
        assert logged.splitlines()[-1] == (
            "WARNING priming stopped at its 2000 ms budget, interrupting GET /slow; "
            "skipped /missing, /boom"
        )
        assert "Traceback" not in logged
        # Lambda's runtime finds SIGALRM and the timer as they were.
        assert printed["alarm"] == [True, [0.0, 0.0]]

    def test_malformed_value_is_logged_and_init_completes(self, tmp_path: Path) -> None:
        printed, logged = init(
            tmp_path, CDK_WSGI_PRIME='{"apiType": "REST", "paths": "/"}'
        )
        assert printed["calls_at_init"] == {}
        assert printed["status"] == 200
        assert "cdk_wsgi_adapter.prime" not in printed["loaded"]
        assert logged.startswith(
            "ERROR CDK_WSGI_PRIME is malformed (host must be a domain name), so nothing is "
            """primed; ignoring '{"apiType": "REST", "paths": "/"}'"""
        )

    def test_unset_costs_nothing(self, tmp_path: Path) -> None:
        printed, logged = init(tmp_path)
        assert printed["calls_at_init"] == {}
        assert printed["status"] == 200
        assert logged == ""
        # json is parse_prime's, imported only when there is something to parse.
        assert not {
            "cdk_wsgi_adapter.prime",
            "cdk_wsgi_adapter.deadline",
            "json",
        } & {*printed["loaded"]}
