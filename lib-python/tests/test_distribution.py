"""Requests through the construct's CloudFront distribution (distribution.py).

With the origin secret, the app sees what the visitor used: host, scheme, port,
address and path; without it, a request is served as a direct one. The distribution's
headers never reach the app. The events are real samples reshaped as CloudFront's
origin request reaches each front door: the origin's own Host, CloudFront's edge as
the client, `via`, `x-amz-cf-id` and `cloudfront-forwarded-proto`, and the
distribution's four headers. With direct access off, a request without the secret is
refused before the app.
"""

from __future__ import annotations

import importlib
import json
import string
from collections.abc import Callable
from typing import Any
from wsgiref.validate import validator

import pytest
from flask import Flask, Response, jsonify, request
from hypothesis import given, settings
from hypothesis import strategies as st

from cdk_wsgi_adapter import make_handler, warmup
from cdk_wsgi_adapter.adapter import handler_for
from cdk_wsgi_adapter.config import (
    ORIGIN_SECRET_HEADER,
    VIEWER_ADDRESS_HEADER,
    VIEWER_HOST_HEADER,
    VIEWER_PROTO_HEADER,
    Options,
    PrimeConfig,
    load_settings,
)
from cdk_wsgi_adapter.distribution import REFUSED_BODY
from cdk_wsgi_adapter.prime import prime
from conftest import Capture, ContextStub, Invoked, exploding_app, load_event

#: Shaped like a Secrets Manager generated string: 32 characters, punctuation included.
SECRET = "kT9#vQ2!rL7$wZ4^mP8&xB1*cN6(hF3)"
VIEWER_HOST = "www.example.com"
VIEWER_ADDRESS = "198.51.100.23"
#: The CloudFront edge server that forwarded the request: the front door's client.
EDGE_ADDRESS = "130.176.212.7"
#: Headers CloudFront adds to every origin request.
CLOUDFRONT_HEADERS = {
    "via": "2.0 5f1b2c3d4e5f60718293a4b5c6d7e8f9.cloudfront.net (CloudFront)",
    "x-amz-cf-id": "Yd3dT1uX2tfPZ7RrW8w8Hm0cP1M6cJd7b0h2mYQbq9lK2eXvN4tO3A==",
    "cloudfront-forwarded-proto": "https",
}
DISTRIBUTION_HEADERS = (
    ORIGIN_SECRET_HEADER,
    VIEWER_HOST_HEADER,
    VIEWER_ADDRESS_HEADER,
    VIEWER_PROTO_HEADER,
)
DISTRIBUTION_KEYS = {
    "HTTP_X_CDK_WSGI_ORIGIN_SECRET",
    "HTTP_X_CDK_WSGI_VIEWER_HOST",
    "HTTP_X_CDK_WSGI_VIEWER_ADDRESS",
    "HTTP_X_CDK_WSGI_VIEWER_PROTO",
}

Event = dict[str, Any]


def set_header(event: Event, name: str, value: str | list[str] | None) -> None:
    """Set header `name` in each header map of `event`, replacing every spelling of
    it; None removes it. A list gives the multi-value map several values."""
    for key in ("headers", "multiValueHeaders"):
        headers = event.get(key)
        if headers is None:
            continue
        for spelling in [n for n in headers if n.lower() == name.lower()]:
            del headers[spelling]
        if value is None:
            continue
        if key == "multiValueHeaders":
            headers[name] = value if isinstance(value, list) else [value]
        else:
            headers[name] = value[-1] if isinstance(value, list) else value


def rest_origin(path: str) -> Event:
    """A REST API origin with origin path `/prod`: the event's `path` lacks the stage,
    requestContext.path has it."""
    event = load_event("aws-lambda-go/apigw-request.json")
    event.update(
        httpMethod="GET",
        path=path,
        pathParameters={"proxy": path[1:]},
        queryStringParameters=None,
        multiValueQueryStringParameters=None,
        body=None,
    )
    context = event["requestContext"]
    context.update(httpMethod="GET", stage="prod", path=f"/prod{path}")
    context["identity"]["sourceIp"] = EDGE_ADDRESS
    set_header(event, "Content-Type", None)
    # CloudFront sends its origin's domain as Host (the sample's names another region).
    set_header(event, "Host", context["domainName"])
    set_header(event, "X-Forwarded-For", f"{VIEWER_ADDRESS}, {EDGE_ADDRESS}")
    return _with_cloudfront(event)


def http_origin(path: str) -> Event:
    """An HTTP API origin on its `$default` stage."""
    return _payload_v2("aws-lambda-go/apigw-v2-request-no-authorizer.json", path)


def http_stage_origin(path: str) -> Event:
    """An HTTP API origin on its stage `beta`, the origin path: rawPath keeps it."""
    sample = "aws-lambda-dotnet/AspNetCoreServer.Test/values-get-all-httpapi-v2-with-stage.json"
    return _payload_v2(sample, f"/beta{path}")


def function_url_origin(path: str) -> Event:
    """A Lambda function URL origin."""
    sample = "aws-lambda-go/lambdaurl/function-url-domain-only-get-request.json"
    return _payload_v2(sample, path)


def _payload_v2(sample: str, raw_path: str) -> Event:
    event = load_event(sample)
    event["rawPath"] = raw_path
    http = event["requestContext"]["http"]
    http.update(path=raw_path, sourceIp=EDGE_ADDRESS)
    set_header(event, "x-forwarded-for", f"{VIEWER_ADDRESS}, {EDGE_ADDRESS}")
    return _with_cloudfront(event)


def _with_cloudfront(event: Event) -> Event:
    for name, value in CLOUDFRONT_HEADERS.items():
        set_header(event, name, value)
    return event


ORIGINS: dict[str, Callable[[str], Event]] = {
    "rest": rest_origin,
    "http": http_origin,
    "http-stage": http_stage_origin,
    "function-url": function_url_origin,
}
origins = pytest.mark.parametrize("origin", sorted(ORIGINS))


def through_distribution(
    event: Event,
    *,
    secret: str | list[str] | None = SECRET,
    host: str | None = VIEWER_HOST,
    address: str | None = VIEWER_ADDRESS,
    proto: str | None = "https",
) -> Event:
    """`event` with the distribution's headers as CloudFront sends them (None: left out)."""
    set_header(event, ORIGIN_SECRET_HEADER, secret)
    set_header(event, VIEWER_HOST_HEADER, host)
    set_header(event, VIEWER_ADDRESS_HEADER, address)
    set_header(event, VIEWER_PROTO_HEADER, proto)
    return event


def environ_of(event: Event, secret: str | None = SECRET) -> dict[str, Any]:
    """What the app sees of `event` with CDK_WSGI_ORIGIN_SECRET `secret`."""
    capture = Capture()
    response = make_handler(capture.app, origin_secret=secret)(event, ContextStub())
    assert response["statusCode"] == 200, response
    assert capture.environ["cdk_wsgi.event"] is event
    return capture.computed()


def direct(origin: str, path: str = "/hello/world") -> dict[str, Any]:
    """The environ of the same request made to the front door directly: no headers of
    the distribution, and the feature off."""
    return environ_of(ORIGINS[origin](path), secret=None)


class TestTrusted:
    @origins
    def test_the_app_sees_what_the_visitor_used(self, origin: str) -> None:
        event = through_distribution(ORIGINS[origin]("/hello/world"))
        environ = environ_of(event)
        assert environ == {
            **direct(origin),
            "HTTP_HOST": VIEWER_HOST,
            "SERVER_NAME": VIEWER_HOST,
            "REMOTE_ADDR": VIEWER_ADDRESS,
            "SCRIPT_NAME": "",
            "PATH_INFO": "/hello/world",
        }
        assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == ("https", "443")
        assert not any(key.startswith("HTTP_X_CDK_WSGI_") for key in environ)
        assert environ["HTTP_VIA"] == CLOUDFRONT_HEADERS["via"]
        # The event stays as received.
        names = {name.lower() for name in event["headers"]}
        assert names >= set(DISTRIBUTION_HEADERS)

    @pytest.mark.parametrize(
        ("origin", "script_name"),
        [
            ("rest", "/prod"),
            ("http-stage", "/beta"),
            ("http", ""),
            ("function-url", ""),
        ],
    )
    def test_the_stage_is_the_origin_path_not_the_script_name(
        self, origin: str, script_name: str
    ) -> None:
        # Called directly, the stage is part of the URL; through the distribution, not.
        assert direct(origin)["SCRIPT_NAME"] == script_name
        assert direct(origin)["PATH_INFO"] == "/hello/world"
        environ = environ_of(through_distribution(ORIGINS[origin]("/hello/world")))
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/hello/world")

    def test_a_named_stage_asked_for_at_its_root(self) -> None:
        event = through_distribution(http_stage_origin(""))
        assert event["rawPath"] == "/beta"
        environ = environ_of(event)
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/")

    @origins
    def test_a_viewer_host_with_a_port(self, origin: str) -> None:
        event = through_distribution(ORIGINS[origin]("/"), host="www.example.com:8443")
        environ = environ_of(event)
        assert environ["HTTP_HOST"] == "www.example.com:8443"
        assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == (VIEWER_HOST, "443")

    @pytest.mark.parametrize(
        ("host", "port"),
        [("127.0.0.1:8000", "8000"), ("[::1]:5000", "5000"), ("localhost", "80")],
    )
    @origins
    def test_http_from_serve_on_this_machine(
        self, origin: str, host: str, port: str
    ) -> None:
        # `cdk-wsgi serve` stands in for the distribution over plain HTTP.
        event = through_distribution(ORIGINS[origin]("/"), host=host, proto="http")
        environ = environ_of(event)
        assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == ("http", port)
        assert environ["HTTP_HOST"] == host

    @pytest.mark.parametrize("proto", [None, "", "HTTP", "ftp", "http, http"])
    def test_any_other_proto_is_https(self, proto: str | None) -> None:
        environ = environ_of(through_distribution(rest_origin("/"), proto=proto))
        assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == ("https", "443")

    @origins
    def test_an_ipv6_viewer_address(self, origin: str) -> None:
        address = "2001:db8:85a3::8a2e:370:7334"
        environ = environ_of(
            through_distribution(ORIGINS[origin]("/"), address=address)
        )
        assert environ["REMOTE_ADDR"] == address

    @pytest.mark.parametrize("value", [None, "", "  ", "a.example.com, b.example.com"])
    @origins
    def test_without_a_usable_viewer_host_the_event_s_applies(
        self, origin: str, value: str | None
    ) -> None:
        event = through_distribution(ORIGINS[origin]("/hello/world"), host=value)
        domain = event["requestContext"]["domainName"]
        environ = environ_of(event)
        assert (environ["HTTP_HOST"], environ["SERVER_NAME"]) == (domain, domain)
        # Still through the distribution: the visitor's address and path.
        assert environ["REMOTE_ADDR"] == VIEWER_ADDRESS
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("", "/hello/world")

    def test_a_viewer_host_without_a_name_is_not_usable(self) -> None:
        event = through_distribution(http_origin("/"), host=":443")
        domain = event["requestContext"]["domainName"]
        environ = environ_of(event)
        assert (environ["HTTP_HOST"], environ["SERVER_NAME"]) == (domain, domain)

    @pytest.mark.parametrize("value", [None, "", " ", "203.0.113.1, 198.51.100.23"])
    @origins
    def test_without_a_usable_viewer_address_the_event_s_applies(
        self, origin: str, value: str | None
    ) -> None:
        event = through_distribution(ORIGINS[origin]("/"), address=value)
        environ = environ_of(event)
        assert environ["REMOTE_ADDR"] == EDGE_ADDRESS
        assert environ["HTTP_HOST"] == VIEWER_HOST

    def test_names_in_any_case_on_a_rest_api(self) -> None:
        # REST keeps the names' case as sent; HTTP APIs and function URLs lowercase them.
        event = rest_origin("/hello/world")
        set_header(event, "X-Cdk-Wsgi-Origin-Secret", SECRET)
        set_header(event, "X-CDK-WSGI-VIEWER-HOST", VIEWER_HOST)
        set_header(event, "x-Cdk-wsgi-viewer-ADDRESS", VIEWER_ADDRESS)
        environ = environ_of(event)
        assert (environ["HTTP_HOST"], environ["REMOTE_ADDR"]) == (
            VIEWER_HOST,
            VIEWER_ADDRESS,
        )
        assert DISTRIBUTION_KEYS.isdisjoint(environ)

    @pytest.mark.parametrize("origin", ["rest", "http"])
    def test_a_secret_beyond_ascii_compares_as_utf8(self, origin: str) -> None:
        # The construct's secrets are ASCII; make_handler takes any string.
        secret = "clé-secrète-ü-0123456789abcdefghij"
        event = through_distribution(ORIGINS[origin]("/"), secret=secret)
        assert environ_of(event, secret=secret)["HTTP_HOST"] == VIEWER_HOST
        assert environ_of(event, secret=secret.upper())["HTTP_HOST"] != VIEWER_HOST


#: The visitor's request as a Flask app reads it.
visitor_app = Flask(__name__)


@visitor_app.get("/hello/world")
def visitor() -> Response:
    return jsonify(
        url=request.url,
        host=request.host,
        remote_addr=request.remote_addr,
        script_root=request.root_path,
        headers=sorted(name.lower() for name, _ in request.headers),
    )


class TestFrameworks:
    @pytest.mark.parametrize("framework", ["flask", "django"])
    @origins
    def test_absolute_urls_name_the_visitor_s_site(
        self, framework: str, origin: str
    ) -> None:
        app = importlib.import_module(f"apps.{framework}_app").app
        handler = make_handler(validator(app), origin_secret=SECRET)
        response = handler(through_distribution(ORIGINS[origin]("/url")), ContextStub())
        # Flask's url_for(_external=True), Django's build_absolute_uri over get_host().
        assert response["body"] == f"https://{VIEWER_HOST}/hello"
        direct = make_handler(validator(app))(ORIGINS[origin]("/url"), ContextStub())
        assert direct["body"] != response["body"]

    @origins
    def test_flask_reads_the_visitor_s_request(self, origin: str) -> None:
        handler = make_handler(validator(visitor_app), origin_secret=SECRET)
        event = through_distribution(ORIGINS[origin]("/hello/world"))
        seen = json.loads(handler(event, ContextStub())["body"])
        assert seen["url"] == f"https://{VIEWER_HOST}/hello/world"
        assert (seen["host"], seen["remote_addr"], seen["script_root"]) == (
            VIEWER_HOST,
            VIEWER_ADDRESS,
            "",
        )
        assert "via" in seen["headers"]
        assert not any(name.startswith("x-cdk-wsgi-") for name in seen["headers"])


class TestUntrusted:
    """Someone calling the front door's own URL with forged viewer headers is served
    as a direct request: the forged values are ignored, and dropped."""

    @pytest.mark.parametrize(
        "secret",
        [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.lower(), f" {SECRET}"],
        ids=["absent", "empty", "wrong", "prefix", "longer", "case", "padded"],
    )
    @origins
    def test_forged_headers_are_ignored_and_dropped(
        self, origin: str, secret: str | None
    ) -> None:
        event = through_distribution(
            ORIGINS[origin]("/hello/world"),
            secret=secret,
            host="forged.example.com",
            address="192.0.2.66",
        )
        assert environ_of(event) == direct(origin)

    @pytest.mark.parametrize(
        ("origin", "secret"),
        [
            # REST: two lines of one header reach multiValueHeaders as a list.
            ("rest", [SECRET, SECRET]),
            ("rest", ["wrong", SECRET]),
            # HTTP APIs and function URLs join repeated headers with commas.
            ("http", f"{SECRET},{SECRET}"),
            ("http-stage", f"wrong,{SECRET}"),
            ("function-url", f"{SECRET},{SECRET}"),
        ],
    )
    def test_a_secret_given_twice_is_untrusted(
        self, origin: str, secret: str | list[str]
    ) -> None:
        event = through_distribution(ORIGINS[origin]("/hello/world"), secret=secret)
        assert environ_of(event) == direct(origin)

    def test_a_secret_in_two_spellings_is_untrusted(self) -> None:
        event = through_distribution(rest_origin("/hello/world"))
        event["multiValueHeaders"]["X-Cdk-Wsgi-Origin-Secret"] = [SECRET]
        event["headers"]["X-Cdk-Wsgi-Origin-Secret"] = SECRET
        assert environ_of(event) == direct("rest")

    @origins
    def test_without_the_variable_the_headers_reach_the_app_as_before(
        self, origin: str
    ) -> None:
        # Nothing trusts them, so nothing hides them.
        event = through_distribution(ORIGINS[origin]("/hello/world"))
        environ = environ_of(event, secret=None)
        assert environ == {
            **direct(origin),
            "HTTP_X_CDK_WSGI_ORIGIN_SECRET": SECRET,
            "HTTP_X_CDK_WSGI_VIEWER_HOST": VIEWER_HOST,
            "HTTP_X_CDK_WSGI_VIEWER_ADDRESS": VIEWER_ADDRESS,
            "HTTP_X_CDK_WSGI_VIEWER_PROTO": "https",
        }
        assert environ_of(event, secret="") == environ


#: CDK_WSGI_ORIGIN_SECRET and CDK_WSGI_DIRECT_ACCESS as the construct sets them with
#: `distribution.allowDirectAccess: false`.
CLOSED = {"CDK_WSGI_ORIGIN_SECRET": SECRET, "CDK_WSGI_DIRECT_ACCESS": "0"}


def closed(app: Any = exploding_app) -> Any:
    """The handler the construct's variables give `app` with direct access off."""
    spec, options = load_settings(CLOSED)
    assert spec is None
    return handler_for(app, options)


class TestDirectAccessOff:
    """`distribution.allowDirectAccess: false`: the origin's own URL still answers (the
    distribution reaches the app through it), but a request that did not come
    through the distribution gets a 403 and never reaches the app."""

    @pytest.mark.parametrize(
        ("variables", "direct_access"),
        [
            ({}, True),
            ({"CDK_WSGI_DIRECT_ACCESS": "1"}, True),
            ({"CDK_WSGI_DIRECT_ACCESS": ""}, True),
            ({"CDK_WSGI_DIRECT_ACCESS": "0"}, False),
        ],
    )
    def test_only_0_turns_it_off(
        self, variables: dict[str, str], direct_access: bool
    ) -> None:
        assert load_settings(variables)[1].direct_access is direct_access

    @pytest.mark.parametrize(
        "secret",
        [None, "wrong", f"{SECRET},{SECRET}"],
        ids=["absent", "wrong", "twice"],
    )
    @origins
    def test_a_request_without_the_secret_is_refused_before_the_app(
        self, origin: str, secret: str | None, caplog: pytest.LogCaptureFixture
    ) -> None:
        event = through_distribution(
            ORIGINS[origin]("/admin/login/"), secret=secret, host="forged.example"
        )
        set_header(event, "User-Agent", "probe/1.0")
        response = closed()(event, ContextStub())
        assert response["statusCode"] == 403
        assert response["body"] == REFUSED_BODY.decode()
        assert response["isBase64Encoded"] is False
        headers = response.get("multiValueHeaders") or response["headers"]
        content_type = headers.get("Content-Type") or headers["content-type"]
        assert content_type in (
            "text/plain; charset=utf-8",
            ["text/plain; charset=utf-8"],
        )
        # What the request said of itself, as the front door gave it: never the
        # forged viewer headers' values, nor a secret.
        [record] = [r for r in caplog.records if "refused a request" in r.message]
        assert record.levelname == "WARNING"
        domain = event["requestContext"]["domainName"]
        script_name = {"rest": "/prod", "http-stage": "/beta"}.get(origin, "")
        assert record.message == (
            "refused a request without the distribution's secret header (direct "
            f"access is off): GET '{script_name}/admin/login/', query '', host "
            f"'{domain}', client {EDGE_ADDRESS}, user agent 'probe/1.0'"
        )
        assert "forged.example" not in caplog.text
        assert SECRET not in caplog.text

    def test_the_whole_refusal_of_a_function_url(self) -> None:
        event = function_url_origin("/")
        assert closed()(event, ContextStub()) == {
            "statusCode": 403,
            "headers": {"Content-Type": "text/plain; charset=utf-8"},
            "cookies": [],
            "body": REFUSED_BODY.decode(),
            "isBase64Encoded": False,
        }

    @origins
    def test_through_the_distribution_the_app_sees_the_visitor(
        self, origin: str
    ) -> None:
        capture = Capture()
        event = through_distribution(ORIGINS[origin]("/hello/world"))
        response = closed(capture.app)(event, ContextStub())
        assert response["statusCode"] == 200
        assert capture.environ["HTTP_HOST"] == VIEWER_HOST
        assert capture.environ["REMOTE_ADDR"] == VIEWER_ADDRESS

    def test_without_a_secret_there_is_nothing_to_refuse_by(self) -> None:
        # The construct sets the two together; make_handler's users without one.
        capture = Capture()
        options = Options(direct_access=False)
        response = handler_for(capture.app, options)(http_origin("/"), ContextStub())
        assert response["statusCode"] == 200

    @pytest.mark.parametrize("api_type", ["REST", "HTTP", "FUNCTION_URL"])
    def test_priming_sends_the_secret_so_it_reaches_the_app(
        self, api_type: str
    ) -> None:
        capture = Capture()
        _, options = load_settings(CLOSED)
        handler = handler_for(capture.app, options)
        results: list[dict[str, Any]] = []

        def recording(event: Any, context: Any) -> Any:
            results.append(handler(event, context))
            return results[-1]

        stage = {"REST": "prod", "HTTP": "$default"}.get(api_type, "$default")
        config = PrimeConfig(
            api_type=api_type,
            host=VIEWER_HOST,
            stage=stage,
            paths=["/"],
            timeout_millis=600_000,
        )
        prime(recording, config, options)
        assert [result["statusCode"] for result in results] == [200]
        assert capture.environ["HTTP_HOST"] == VIEWER_HOST

    def test_warm_ups_and_management_commands_are_answered_as_ever(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(warmup, "HOLD_SECONDS", 0.01)
        handler = closed()
        warm = handler({"source": "cdk-wsgi.warm-up"}, ContextStub())
        assert warm == {"warmed": 1}
        event = {"source": "cdk-wsgi.command", "kind": "python", "code": "print(6 * 7)"}
        answer = handler(event, Invoked("manage"))
        assert (answer["exitCode"], answer["output"]) == (0, [["stdout", "42\n"]])


# Header values as a client could forge them, or the distribution send them.
forged_values = st.sampled_from(
    [SECRET, SECRET + "x", "", " ", f"{SECRET},{SECRET}", VIEWER_HOST, "::1"]
) | st.text(string.printable, max_size=12)


class TestFuzz:
    @settings(max_examples=300)
    @given(
        st.sampled_from(sorted(ORIGINS)),
        st.lists(
            st.tuples(
                st.sampled_from(DISTRIBUTION_HEADERS).map(
                    lambda name: "".join(
                        c.upper() if i % 3 == 0 else c for i, c in enumerate(name)
                    )
                )
                | st.sampled_from(DISTRIBUTION_HEADERS),
                forged_values,
            ),
            max_size=5,
        ),
    )
    def test_the_headers_never_reach_the_app_and_only_the_secret_is_trusted(
        self, origin: str, headers: list[tuple[str, str]]
    ) -> None:
        event = ORIGINS[origin]("/hello/world")
        target = event.get("multiValueHeaders") or event["headers"]
        for name, value in headers:
            if target is event["headers"]:
                target[name] = value
            else:
                target.setdefault(name, []).append(value)
        environ = environ_of(event)
        assert DISTRIBUTION_KEYS.isdisjoint(environ)
        sent = [
            value
            for name, values in target.items()
            if name.lower() == ORIGIN_SECRET_HEADER
            for value in (values if isinstance(values, list) else [values])
        ]
        if sent == [SECRET]:
            assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == (
                "",
                "/hello/world",
            )
        else:
            assert environ == direct(origin)
