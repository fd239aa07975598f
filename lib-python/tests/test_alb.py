"""ALB target group events in single- and multi-value header mode."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Capture, load_event, run
from events import make_alb_event

COOKIES = [
    ("Content-Type", "text/plain"),
    ("Set-Cookie", "a=1"),
    ("Set-Cookie", "b=2"),
    ("Set-Cookie", "c=3"),
]


def expected_environ(host: str, client: str) -> dict[str, Any]:
    return {
        "HTTP_ACCEPT": "*/*",
        "HTTP_CONNECTION": "keep-alive",
        "HTTP_HOST": host,
        "HTTP_USER_AGENT": "curl/7.54.0",
        "HTTP_X_FORWARDED_FOR": client,
        "HTTP_X_FORWARDED_PORT": "80",
        "HTTP_X_FORWARDED_PROTO": "http",
        "HTTP_X_IMFORWARDS": "20",
        "HTTP_X_MYHEADER": "123",
        "PATH_INFO": "/",
        "QUERY_STRING": "key=hello",
        "REMOTE_ADDR": client,
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "cdk_wsgi.raw_uri": "/?key=hello",
        "cdk_wsgi.source": "alb",
        "wsgi.multiprocess": False,
        "wsgi.multithread": False,
        "wsgi.run_once": False,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
    }


class TestAlbSingleValue:
    def test_aws_lambda_go_sample(self) -> None:
        capture, response = run(
            load_event("aws-lambda-go/alb-lambda-target-request-headers-only.json"),
            Capture(headers=COOKIES),
        )
        assert capture.computed() == {
            **expected_environ(
                "lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com", "25.12.198.67"
            ),
            "HTTP_X_AMZN_TRACE_ID": "Root=1-5c34e93e-4dea0086f9763ac0667b115a",
        }
        # Without multi-value mode, only differently-cased names keep every Set-Cookie.
        assert response == {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "headers": {
                "Content-Type": "text/plain",
                "set-cookie": "a=1",
                "set-cookiE": "b=2",
                "set-cookIe": "c=3",
            },
            "body": "ok",
            "isBase64Encoded": False,
        }

    def test_health_check_without_host(self) -> None:
        capture, _ = run(
            load_event("aws-lambda-rust-runtime/lambda-http/alb_health_check.json")
        )
        env = capture.environ
        assert (env["SERVER_NAME"], env["SERVER_PORT"], env["wsgi.url_scheme"]) == (
            "localhost",
            "443",
            "https",
        )
        assert "HTTP_HOST" not in env
        assert "REMOTE_ADDR" not in env

    def test_encoded_query_values_pass_raw(self) -> None:
        capture, _ = run(
            load_event(
                "aws-lambda-rust-runtime/lambda-http/alb_request_encoded_query_parameters.json"
            )
        )
        event = load_event(
            "aws-lambda-rust-runtime/lambda-http/alb_request_encoded_query_parameters.json"
        )
        assert capture.environ["QUERY_STRING"] == "&".join(
            f"{k}={v}" for k, v in event["queryStringParameters"].items()
        )

    def test_last_forwarded_for_hop_is_the_client(self) -> None:
        event = make_alb_event(
            headers={
                "x-forwarded-for": ["6.6.6.6, 192.0.2.44"],
                "x-forwarded-port": ["x"],
            }
        )
        capture, _ = run(event)
        assert capture.environ["REMOTE_ADDR"] == "192.0.2.44"
        assert (capture.environ["wsgi.url_scheme"], capture.environ["SERVER_PORT"]) == (
            "https",
            "443",
        )

    @pytest.mark.parametrize("multi_value", [False, True])
    @pytest.mark.parametrize("alb_first", [False, True])
    def test_alb_s_spelling_gives_the_client_whatever_the_order(
        self, multi_value: bool, alb_first: bool
    ) -> None:
        # ALB sends x-forwarded-for in lowercase; another spelling is not its own.
        spellings = [
            ("x-forwarded-for", ["6.6.6.6, 192.0.2.44"]),
            ("X-Forwarded-For", ["7.7.7.7"]),
        ]
        headers = dict(spellings if alb_first else spellings[::-1])
        capture, _ = run(make_alb_event(headers=headers, multi_value=multi_value))
        assert capture.environ["REMOTE_ADDR"] == "192.0.2.44"
        assert capture.environ["HTTP_X_FORWARDED_FOR"] == (
            "7.7.7.7, 6.6.6.6, 192.0.2.44"
        )

    def test_http_scheme_defaults_port_80(self) -> None:
        capture, _ = run(make_alb_event(headers={"x-forwarded-proto": ["HTTP"]}))
        assert (capture.environ["wsgi.url_scheme"], capture.environ["SERVER_PORT"]) == (
            "http",
            "80",
        )

    @pytest.mark.parametrize(
        ("proto", "port", "expected"),
        [
            ("https", " 8443 ", ("https", "8443")),
            ("http", "8080", ("http", "8080")),
            ("http", "443", ("http", "443")),  # the header wins over the default
        ],
    )
    def test_forwarded_port_is_the_server_port(
        self, proto: str, port: str, expected: tuple[str, str]
    ) -> None:
        event = make_alb_event(
            headers={"x-forwarded-proto": [proto], "x-forwarded-port": [port]}
        )
        capture, _ = run(event)
        assert (
            capture.environ["wsgi.url_scheme"],
            capture.environ["SERVER_PORT"],
        ) == expected

    def test_binary_put_body(self) -> None:
        capture, _ = run(
            load_event(
                "aws-lambda-dotnet/AspNetCoreServer.Test/values-put-binary-alb-request.json"
            )
        )
        assert capture.environ["REQUEST_METHOD"] == "PUT"
        assert capture.input
        assert capture.environ["CONTENT_LENGTH"] == str(len(capture.input))

    def test_path_is_percent_decoded(self) -> None:
        capture, _ = run(make_alb_event(path="/a%20b", query={"x": ["a%2Bb"]}))
        assert capture.environ["PATH_INFO"] == "/a b"
        assert capture.environ["QUERY_STRING"] == "x=a%2Bb"

    def test_null_path_is_the_root(self) -> None:
        event = make_alb_event()
        event["path"] = None
        capture, _ = run(event)
        assert capture.environ["PATH_INFO"] == "/"


class TestAlbMultiValue:
    def test_aws_lambda_go_sample(self) -> None:
        capture, response = run(
            load_event(
                "aws-lambda-go/alb-lambda-target-request-multivalue-headers.json"
            ),
            Capture(headers=COOKIES),
        )
        assert capture.computed() == {
            **expected_environ(
                "lambda-test-alb-1234567.us-east-1.elb.amazonaws.com", "72.21.198.67"
            ),
            "HTTP_X_AMZN_TRACE_ID": "Root=1-5c34e7d4-00ca239424b68028d4c56d68",
        }
        assert response == {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "multiValueHeaders": {
                "Content-Type": ["text/plain"],
                "Set-Cookie": ["a=1", "b=2", "c=3"],
            },
            "body": "ok",
            "isBase64Encoded": False,
        }

    def test_repeated_query_keys_stay_encoded(self) -> None:
        capture, _ = run(
            load_event(
                "aws-lambda-dotnet/AspNetCoreServer.Test/values-get-querystring-alb-mv-encoding-request.json"
            )
        )
        assert "%3A" in capture.environ["QUERY_STRING"]

    def test_invalid_base64_is_a_400_in_multi_value_shape(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        capture, response = run(
            load_event(
                "aws-lambda-dotnet/EventsTests.Shared/alb-request-multi-value.json"
            )
        )
        assert response == {
            "statusCode": 400,
            "statusDescription": "400 Bad Request",
            "multiValueHeaders": {"Content-Type": ["text/plain; charset=utf-8"]},
            "body": "Bad Request",
            "isBase64Encoded": False,
        }
        assert "malformed alb event" in caplog.text

    @pytest.mark.parametrize(("count", "status"), [(512, 200), (513, 500)])
    def test_single_mode_carries_512_cookies_and_refuses_more(
        self, count: int, status: int, caplog: pytest.LogCaptureFixture
    ) -> None:
        headers = [("Content-Type", "text/plain")] + [
            ("Set-Cookie", f"c{i}=1") for i in range(count)
        ]
        _, response = run(make_alb_event(), Capture(headers=headers))
        assert response["statusCode"] == status
        names = [name for name in response["headers"] if name.lower() == "set-cookie"]
        if status == 200:
            assert len(set(names)) == 512
            assert sorted(response["headers"][n] for n in names) == sorted(
                f"c{i}=1" for i in range(512)
            )
        else:  # never a silent drop
            assert names == []
            assert "the app set 513 cookies" in caplog.text

    def test_base_path_by_host(self) -> None:
        event = make_alb_event(
            path="/app/x", headers={"host": ["Shop.Example.com"]}, multi_value=True
        )
        capture, _ = run(event, base_paths={"shop.example.com": "app"})
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            "/app",
            "/x",
        )

    def test_response_too_large_for_alb(self, caplog: pytest.LogCaptureFixture) -> None:
        big = Capture(
            headers=[("Content-Type", "text/plain")], body=b"x" * (1024 * 1024)
        )
        _, response = run(make_alb_event(multi_value=True), big)
        assert response["statusCode"] == 502
        assert response["statusDescription"] == "502 Bad Gateway"
        assert "over its limit of 1048576 bytes" in response["body"]
        assert "over its limit" in caplog.text

    def test_empty_method_is_a_400(self) -> None:
        _, response = run(make_alb_event(method=""))
        assert response["statusCode"] == 400
