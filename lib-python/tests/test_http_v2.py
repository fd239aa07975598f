"""HTTP API payload 2.0 events."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Capture, https_environ, load_event, run
from events import make_http_event

COMMON = https_environ("http_v2")


class TestHttpV2:
    def test_aws_lambda_go_jwt_sample(self) -> None:
        capture = Capture(
            headers=[
                ("Content-Type", "text/plain"),
                ("Set-Cookie", "a=1"),
                ("Vary", "Accept"),
                ("Set-Cookie", "b=2"),
                ("vary", "Cookie"),
                ("Connection", "close"),
            ]
        )
        capture, response = run(
            load_event("aws-lambda-go/apigw-v2-request-jwt-authorizer.json"), capture
        )
        assert capture.computed() == {
            **COMMON,
            "CONTENT_LENGTH": "13",
            "HTTP_COOKIE": "cookie1; cookie2",
            "HTTP_HEADER1": "value1",
            "HTTP_HEADER2": "value2",
            # no Host header in the sample: requestContext.domainName stands in
            "HTTP_HOST": "id.execute-api.us-east-1.amazonaws.com",
            "PATH_INFO": "/my/path",
            "QUERY_STRING": "parameter1=value1&parameter1=value2&parameter2=value",
            "REMOTE_ADDR": "IP",
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "id.execute-api.us-east-1.amazonaws.com",
            "cdk_wsgi.raw_uri": "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
        }
        assert capture.input == b'{\r\n\t"a": 1\r\n}'
        assert response == {
            "statusCode": 200,
            "headers": {"Content-Type": "text/plain", "Vary": "Accept, Cookie"},
            "cookies": ["a=1", "b=2"],
            "body": "ok",
            "isBase64Encoded": False,
        }

    def test_named_stage_is_stripped_into_script_name(self) -> None:
        capture, _ = run(
            load_event(
                "aws-lambda-rust-runtime/lambda-http/apigw_v2_proxy_request_with_stage_in_path.json"
            )
        )
        assert capture.computed() == {
            **COMMON,
            "CONTENT_LENGTH": "17",
            "HTTP_COOKIE": "cookie1=value1; cookie2=value2",
            "HTTP_HEADER1": "value1",
            "HTTP_HEADER2": "value2",
            "HTTP_HOST": "id.execute-api.us-east-1.amazonaws.com",
            "PATH_INFO": "/my/path",
            "QUERY_STRING": "parameter1=value1&parameter1=value2&parameter2=value",
            "REMOTE_ADDR": "IP",
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "/Prod",
            "SERVER_NAME": "id.execute-api.us-east-1.amazonaws.com",
            "cdk_wsgi.raw_uri": "/Prod/my/path?parameter1=value1&parameter1=value2&parameter2=value",
        }

    def test_dotnet_stage_sample(self) -> None:
        capture, _ = run(
            load_event(
                "aws-lambda-dotnet/AspNetCoreServer.Test/values-get-all-httpapi-v2-with-stage.json"
            )
        )
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            "/beta",
            "/api/values",
        )

    def test_null_cookies_read_as_none(self) -> None:
        event = make_http_event()
        event["cookies"] = None
        capture, response = run(event)
        assert response["statusCode"] == 200
        assert "HTTP_COOKIE" not in capture.environ

    def test_raw_query_passes_verbatim(self) -> None:
        capture, _ = run(
            load_event(
                "aws-lambda-dotnet/AspNetCoreServer.Test/rawtarget-escaped-reserved-in-query-httpapi-v2.json"
            )
        )
        assert capture.environ["QUERY_STRING"] == "foo=b%40r"

    def test_decoded_raw_path_is_not_unquoted_again(self) -> None:
        capture, _ = run(
            make_http_event(raw_path="/a%20b/caf\u00e9", raw_query="q=\u00e9&x=%41")
        )
        assert capture.environ["PATH_INFO"] == "/a%20b/caf\u00c3\u00a9"
        assert capture.environ["QUERY_STRING"] == "q=\u00c3\u00a9&x=%41"

    @pytest.mark.parametrize(
        ("raw_path", "stage", "script_name", "path_info"),
        [
            ("/dev", "dev", "/dev", ""),
            ("/dev/x", "dev", "/dev", "/x"),
            ("/devices", "dev", "/dev", "/devices"),
            ("/x", "$default", "", "/x"),
        ],
    )
    def test_stage_prefix(
        self, raw_path: str, stage: str, script_name: str, path_info: str
    ) -> None:
        capture, _ = run(make_http_event(raw_path=raw_path, stage=stage))
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            script_name,
            path_info,
        )

    @pytest.mark.parametrize(
        ("raw_path", "path_info"), [("/users", "/users"), ("/v1/users", "/users")]
    )
    def test_custom_domain_sets_script_name_even_when_rawpath_lacks_it(
        self, raw_path: str, path_info: str
    ) -> None:
        event = make_http_event(
            raw_path=raw_path, stage="live", domain="api.example.com"
        )
        capture, _ = run(event, base_paths={"api.example.com": "v1"})
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            "/v1",
            path_info,
        )

    def test_cookie_header_used_when_no_cookies_array(self) -> None:
        capture, _ = run(make_http_event(headers={"cookie": "a=1"}))
        assert capture.environ["HTTP_COOKIE"] == "a=1"

    @pytest.mark.parametrize(
        ("authorizer", "user"),
        [
            ({"jwt": {"claims": {"sub": "jwt-sub"}}}, "jwt-sub"),
            ({"lambda": {"principalId": "lam"}}, "lam"),
            ({"principalId": "top"}, "top"),
            ({"iam": {"userArn": "arn:aws:iam::1:user/u"}}, "arn:aws:iam::1:user/u"),
            ({"lambda": {"anything": 1}}, None),
        ],
    )
    def test_remote_user(self, authorizer: dict[str, Any], user: str | None) -> None:
        capture, _ = run(make_http_event(authorizer=authorizer))
        assert capture.environ.get("REMOTE_USER") == user

    def test_no_source_ip_means_no_remote_addr(self) -> None:
        event = make_http_event()
        del event["requestContext"]["http"]["sourceIp"]
        capture, _ = run(event)
        assert "REMOTE_ADDR" not in capture.environ

    def test_null_headers_are_no_headers(self) -> None:
        event = make_http_event()
        event["headers"] = None
        capture, response = run(event)
        assert response["statusCode"] == 200
        # Only the Host that requestContext.domainName stands in for.
        assert [key for key in capture.environ if key.startswith("HTTP_")] == [
            "HTTP_HOST"
        ]

    def test_null_raw_path_and_domain(self) -> None:
        event = make_http_event(headers={"host": "api.example.com"})
        event["rawPath"] = None
        event["requestContext"]["domainName"] = None  # the Host header stands in
        capture, _ = run(event)
        assert capture.environ["PATH_INFO"] == "/"
        assert capture.environ["SERVER_NAME"] == "api.example.com"

    def test_binary_request_body(self) -> None:
        capture, _ = run(make_http_event(method="POST", body=b"\xff\x00"))
        assert capture.input == b"\xff\x00"
        assert capture.environ["CONTENT_LENGTH"] == "2"

    @pytest.mark.parametrize(
        "mutate",
        [
            lambda e: e["requestContext"]["http"].update(method=None),
            lambda e: e.update(cookies="a=1"),
            lambda e: e.update(cookies=""),
            lambda e: e.update(cookies=0),
            lambda e: e.update(headers={"x": 1}),
            lambda e: e.update(headers=["x"]),
            lambda e: e.update(rawQueryString=["a"]),
            lambda e: e["requestContext"].update(http="GET"),
        ],
    )
    def test_malformed_fields_answer_400(self, mutate: Any) -> None:
        event = make_http_event()
        mutate(event)
        capture, response = run(event)
        assert response == {
            "statusCode": 400,
            "headers": {"Content-Type": "text/plain; charset=utf-8"},
            "cookies": [],
            "body": "Bad Request",
            "isBase64Encoded": False,
        }
