"""REST API (payload 1.0) and HTTP API payload 1.0 events."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_wsgi_adapter import make_handler
from conftest import Capture, ContextStub, https_environ, load_event, run
from events import make_rest_event

COMMON = https_environ("rest_v1")


class TestRestV1:
    def test_aws_lambda_go_sample(self) -> None:
        event = load_event("aws-lambda-go/apigw-request.json")
        context = ContextStub()
        capture = Capture(
            headers=[
                ("Content-Type", "text/plain"),
                ("Set-Cookie", "a=1"),
                ("Set-Cookie", "b=2"),
            ]
        )
        response = make_handler(capture.app)(event, context)
        assert capture.computed() == {
            **COMMON,
            "CONTENT_LENGTH": "13",
            "CONTENT_TYPE": "application/json",
            "HTTP_ACCEPT": "*/*",
            "HTTP_ACCEPT_ENCODING": "gzip, deflate",
            "HTTP_CACHE_CONTROL": "no-cache",
            "HTTP_CLOUDFRONT_FORWARDED_PROTO": "https",
            "HTTP_CLOUDFRONT_IS_DESKTOP_VIEWER": "true",
            "HTTP_CLOUDFRONT_IS_MOBILE_VIEWER": "false",
            "HTTP_CLOUDFRONT_IS_SMARTTV_VIEWER": "false",
            "HTTP_CLOUDFRONT_IS_TABLET_VIEWER": "false",
            "HTTP_CLOUDFRONT_VIEWER_COUNTRY": "US",
            "HTTP_HEADERNAME": "headerValue",
            "HTTP_HOST": "gy415nuibc.execute-api.us-east-1.amazonaws.com",
            "HTTP_POSTMAN_TOKEN": "9f583ef0-ed83-4a38-aef3-eb9ce3f7a57f",
            "HTTP_USER_AGENT": "PostmanRuntime/2.4.5",
            "HTTP_VIA": "1.1 d98420743a69852491bbdea73f7680bd.cloudfront.net (CloudFront)",
            "HTTP_X_AMZ_CF_ID": "pn-PWIJc6thYnZm5P0NMgOUglL1DYtl0gdeJky8tqsg8iS_sgsKD1A==",
            "HTTP_X_FORWARDED_FOR": "54.240.196.186, 54.182.214.83",
            "HTTP_X_FORWARDED_PORT": "443",
            "HTTP_X_FORWARDED_PROTO": "https",
            "PATH_INFO": "/hello/world",
            "QUERY_STRING": "name=me",
            # requestContext.identity.sourceIp, never the client-controlled X-Forwarded-For
            "REMOTE_ADDR": "192.168.196.186",
            "REMOTE_USER": "admin",
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "/testStage",
            "SERVER_NAME": "gy415nuibc.execute-api.us-east-1.amazonaws.com",
            "cdk_wsgi.raw_uri": "/hello/world?name=me",
        }
        assert capture.environ["cdk_wsgi.event"] is event
        assert capture.environ["cdk_wsgi.context"] is context
        assert capture.input == b'{\r\n\t"a": 1\r\n}'
        assert response == {
            "statusCode": 200,
            "multiValueHeaders": {
                "Content-Type": ["text/plain"],
                "Set-Cookie": ["a=1", "b=2"],
            },
            "body": "ok",
            "isBase64Encoded": False,
        }

    def test_console_test_event_with_null_maps(self) -> None:
        capture, response = run(
            load_event(
                "aws-lambda-rust-runtime/lambda-events/example-apigw-console-test-request.json"
            )
        )
        assert capture.computed() == {
            **COMMON,
            "CONTENT_LENGTH": "13",
            "HTTP_HOST": "testPrefix.testDomainName",
            "PATH_INFO": "/myPath",
            "QUERY_STRING": "",
            "REMOTE_ADDR": "test-invoke-source-ip",
            "REMOTE_USER": "arn:aws:sts::xxxxx:assumed-role/xxxxx/xxxxx",
            "REQUEST_METHOD": "POST",
            # not an execute-api domain and not in the base-path map: no prefix
            "SCRIPT_NAME": "",
            "SERVER_NAME": "testPrefix.testDomainName",
            "cdk_wsgi.raw_uri": "/myPath",
        }
        assert response == {
            "statusCode": 200,
            "multiValueHeaders": {"Content-Type": ["text/plain"]},
            "body": "ok",
            "isBase64Encoded": False,
        }

    def test_degenerate_event_without_headers_or_body(self) -> None:
        capture, _ = run(
            load_event("powertools-lambda-python/apiGatewayProxyEventPrincipalId.json")
        )
        assert capture.computed() == {
            **COMMON,
            "PATH_INFO": "/trip",
            "QUERY_STRING": "",
            "REMOTE_USER": "fake",
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "localhost",
            "cdk_wsgi.raw_uri": "/trip",
        }

    def test_encoded_path_and_decoded_query(self) -> None:
        capture, _ = run(
            load_event(
                "aws-lambda-dotnet/AspNetCoreServer.Test/encode-space-in-resource-path-and-query.json"
            )
        )
        env = capture.computed()
        assert (env["SCRIPT_NAME"], env["PATH_INFO"], env["QUERY_STRING"]) == (
            "/Prod",
            "/foo bar",
            "greeting=hello+world",
        )
        assert env["cdk_wsgi.raw_uri"] == "/foo%20bar?greeting=hello+world"

    def test_escaped_percent_and_slash(self) -> None:
        capture, _ = run(
            load_event(
                "aws-lambda-dotnet/AspNetCoreServer.Test/rawtarget-escaped-percent-slash-in-path.json"
            )
        )
        # PEP 3333: %2F decodes to "/" in PATH_INFO; the raw form stays in cdk_wsgi.raw_uri.
        assert capture.environ["PATH_INFO"].endswith("/foo%/bar")
        assert "/foo%25%2Fbar" in capture.environ["cdk_wsgi.raw_uri"]

    def test_custom_domain_in_request_context_wins_over_host(self) -> None:
        event = load_event("aws-lambda-dotnet/EventsTests.Shared/proxy-event.json")
        capture, _ = run(event, base_paths={"SomeRandomDomain.net": "v1"})
        path = event["path"]
        assert capture.environ["SCRIPT_NAME"] == "/v1"
        expected = path[3:] if path.startswith("/v1/") else path
        assert capture.environ["PATH_INFO"] == expected

    def test_base64_body_with_invalid_encoding_is_a_400(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        capture, response = run(
            load_event("powertools-lambda-python/apiGatewayProxyEventAnotherPath.json")
        )
        assert response == {
            "statusCode": 400,
            "multiValueHeaders": {"Content-Type": ["text/plain; charset=utf-8"]},
            "body": "Bad Request",
            "isBase64Encoded": False,
        }
        assert capture.environ == {}
        assert "malformed rest_v1 event" in caplog.text
        assert "not base64" in caplog.text

    @pytest.mark.parametrize(
        ("path", "base", "script_name", "path_info"),
        [
            ("/api/users", "api", "/api", "/users"),
            ("/api", "api", "/api", ""),
            ("/apiary", "api", "/api", "/apiary"),
            ("/api/api/x", "api", "/api", "/api/x"),
            ("/v1/api/x", "v1/api", "/v1/api", "/x"),
            ("/x", "", "", "/x"),
        ],
    )
    def test_custom_domain_base_path(
        self, path: str, base: str, script_name: str, path_info: str
    ) -> None:
        event = make_rest_event(path=path, domain="api.example.com")
        capture, _ = run(event, base_paths={"API.example.com": base})
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            script_name,
            path_info,
        )

    def test_stage_is_script_name_on_execute_api_and_never_stripped(self) -> None:
        capture, _ = run(make_rest_event(path="/prod/x", stage="prod"))
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            "/prod",
            "/prod/x",
        )

    def test_unknown_domain_gets_no_prefix(self) -> None:
        capture, _ = run(make_rest_event(path="/prod/x", domain="other.example.com"))
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            "",
            "/prod/x",
        )

    def test_domain_falls_back_to_host_header(self) -> None:
        event = make_rest_event(path="/v1/x", headers={"Host": ["api.example.com:443"]})
        del event["requestContext"]["domainName"]
        capture, _ = run(event, base_paths={"api.example.com": "v1"})
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            "/v1",
            "/x",
        )
        assert capture.environ["SERVER_NAME"] == "api.example.com"

    def test_path_is_decoded_to_latin1_text_of_utf8_bytes(self) -> None:
        capture, _ = run(make_rest_event(path="/caf%C3%A9/%FF"))
        assert capture.environ["PATH_INFO"] == "/caf\u00c3\u00a9/\u00ff"
        assert (
            capture.environ["PATH_INFO"].encode("latin-1").decode("utf-8", "replace")
            == "/caf\u00e9/\ufffd"
        )

    def test_query_rebuilt_with_form_encoding(self) -> None:
        event = make_rest_event(
            query={
                "q": ["a b", "a+b"],
                "url": ["https://x/?y=1"],
                "e": [""],
                "é": ["ü"],
            }
        )
        capture, _ = run(event)
        assert capture.environ["QUERY_STRING"] == (
            "q=a+b&q=a%2Bb&url=https%3A%2F%2Fx%2F%3Fy%3D1&e=&%C3%A9=%C3%BC"
        )

    def test_query_falls_back_to_single_value_map(self) -> None:
        event = make_rest_event()
        event["queryStringParameters"] = {"a": "1"}
        capture, _ = run(event)
        assert capture.environ["QUERY_STRING"] == "a=1"

    def test_repeated_headers_joined_and_not_doubled(self) -> None:
        event = make_rest_event(
            headers={
                "Accept": ["a", "b"],
                "accept": ["c"],
                "Cookie": ["x=1", "y=2"],
                "Host": ["h"],
            }
        )
        capture, _ = run(event)
        assert capture.environ["HTTP_ACCEPT"] == "a, b, c"
        assert capture.environ["HTTP_COOKIE"] == "x=1; y=2"
        assert capture.environ["HTTP_HOST"] == "h"

    @pytest.mark.parametrize(
        "last",
        [
            {"accept": ["c"]},  # a second spelling of a name already written
            {"X_Drop": ["d"]},  # a name that is dropped
            {"x-two": ["1", "2"]},  # a repeated header
            {"x-none": None},  # a null list
            {"x-text": ["caf\u00e9"]},  # text beyond ASCII
        ],
    )
    def test_headers_after_the_usual_ones_get_the_general_rules(
        self, last: dict[str, Any]
    ) -> None:
        # Usual headers first, then one that is not: the environ is as if every header
        # had taken the general rules, with nothing left of a first, partial pass.
        event = make_rest_event(headers={"Accept": ["a"], "Host": ["h"]})
        event["multiValueHeaders"].update(last)
        capture, _ = run(event)
        headers = {
            k: v for k, v in capture.environ.items() if k.startswith("HTTP_") or not k
        }
        expected = {"HTTP_ACCEPT": "a", "HTTP_HOST": "h"}
        expected.update(
            {
                "accept": {"HTTP_ACCEPT": "a, c"},
                "X_Drop": {},
                "x-two": {"HTTP_X_TWO": "1, 2"},
                "x-none": {},
                "x-text": {"HTTP_X_TEXT": "caf\u00e9".encode().decode("latin-1")},
            }[next(iter(last))]
        )
        assert headers == expected

    def test_single_value_headers_used_when_multi_missing(self) -> None:
        event = make_rest_event()
        event["multiValueHeaders"] = None
        event["headers"] = {"X-One": "1"}
        capture, _ = run(event)
        assert capture.environ["HTTP_X_ONE"] == "1"

    def test_underscore_headers_are_dropped(self) -> None:
        event = make_rest_event(
            headers={"X_Forwarded_For": ["6.6.6.6"], "X-Forwarded-For": ["1.1.1.1"]}
        )
        capture, _ = run(event)
        assert capture.environ["HTTP_X_FORWARDED_FOR"] == "1.1.1.1"
        assert capture.environ["REMOTE_ADDR"] == "203.0.113.9"

    def test_content_length_is_the_decoded_body_length(self) -> None:
        event = make_rest_event(
            method="POST",
            headers={
                "Content-Length": ["999"],
                "Content-Type": ["application/octet-stream"],
            },
            body=b"\x00\x01\x02",
        )
        capture, _ = run(event)
        assert capture.environ["CONTENT_LENGTH"] == "3"
        assert capture.environ["CONTENT_TYPE"] == "application/octet-stream"
        assert capture.input == b"\x00\x01\x02"

    @pytest.mark.parametrize(
        ("authorizer", "identity", "user"),
        [
            ({"principalId": "p"}, {}, "p"),
            ({"claims": {"sub": "s", "cognito:username": "u"}}, {}, "s"),
            ({"claims": {"cognito:username": "u"}}, {}, "u"),
            (None, {"userArn": "arn:aws:iam::1:user/x"}, "arn:aws:iam::1:user/x"),
            ({"claims": "not-a-map"}, {"userArn": 7}, None),
            (None, "not-a-map", None),  # identity only enriches: never a 400
        ],
    )
    def test_remote_user(
        self, authorizer: Any, identity: Any, user: str | None
    ) -> None:
        event = make_rest_event(authorizer=authorizer)
        event["requestContext"]["identity"] = identity
        capture, _ = run(event)
        assert capture.environ.get("REMOTE_USER") == user
        assert "REMOTE_ADDR" not in capture.environ

    def test_http_api_payload_1_path_is_not_decoded_again(self) -> None:
        event = make_rest_event(path="/dev/a%20b/c d", stage="dev", version="1.0")
        capture, _ = run(event)
        # HTTP API delivers `path` decoded and keeps the named stage in it.
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            "/dev",
            "/a%20b/c d",
        )

    @pytest.mark.parametrize(
        "mutate",
        [
            lambda e: e.update(httpMethod=""),
            lambda e: e.update(httpMethod=5),
            lambda e: e.update(headers=[], multiValueHeaders=None),
            lambda e: e.update(multiValueHeaders={"a": "not-a-list"}),
            lambda e: e.update(isBase64Encoded="yes"),
            lambda e: e.update(body=b"bytes".hex(), isBase64Encoded=True, path=7),
            lambda e: e.update(path="/\ud800"),
            lambda e: e["requestContext"].update(authorizer=""),
        ],
    )
    def test_malformed_fields_answer_400(self, mutate: Any) -> None:
        event = make_rest_event()
        mutate(event)
        capture, response = run(event)
        assert response["statusCode"] == 400
        assert capture.environ == {}
