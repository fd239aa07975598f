"""Lambda Function URL events."""

from __future__ import annotations

from conftest import Capture, load_event, run
from events import make_function_url_event


class TestFunctionUrl:
    def test_real_capture_with_cookies_twice(self) -> None:
        capture = Capture(
            headers=[("Content-Type", "application/json"), ("Set-Cookie", "s=1")],
            body=b'{"a":1}',
        )
        capture, response = run(
            load_event(
                "aws-lambda-go/lambdaurl/function-url-request-with-headers-and-cookies-and-text-body.json"
            ),
            capture,
        )
        assert capture.computed() == {
            "CONTENT_LENGTH": "18",
            "CONTENT_TYPE": "application/json",
            "HTTP_ACCEPT": "*/*",
            "HTTP_ACCEPT_ENCODING": "gzip, deflate",
            # cookies[] and the `cookie` header carry the same cookies: sent once
            "HTTP_COOKIE": "foo=bar; hello=hello",
            "HTTP_HEADER1": "h1",
            "HTTP_HEADER2": "h1,h2",
            "HTTP_HEADER3": "h3",
            "HTTP_HOST": "lambda-url-id.lambda-url.us-west-2.on.aws",
            "HTTP_USER_AGENT": "python-requests/2.28.2",
            "HTTP_X_AMZN_TLS_CIPHER_SUITE": "ECDHE-RSA-AES128-GCM-SHA256",
            "HTTP_X_AMZN_TLS_VERSION": "TLSv1.2",
            "HTTP_X_AMZN_TRACE_ID": "Root=1-643eccfa-2c6028925c2b249524664087",
            "HTTP_X_AMZ_CONTENT_SHA256": "5f8f04f6a3a892aaabbddb6cf273894493773960d4a325b105fee46eef4304f1",
            "HTTP_X_AMZ_DATE": "20230418T170146Z",
            "HTTP_X_AMZ_SECURITY_TOKEN": "security-token",
            "HTTP_X_FORWARDED_FOR": "127.0.0.1",
            "HTTP_X_FORWARDED_PORT": "443",
            "HTTP_X_FORWARDED_PROTO": "https",
            "PATH_INFO": "/hello",
            "QUERY_STRING": "hello=world&foo=bar",
            "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "lambda-url-id.lambda-url.us-west-2.on.aws",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "cdk_wsgi.raw_uri": "/hello?hello=world&foo=bar",
            "cdk_wsgi.source": "function_url",
            "wsgi.multiprocess": False,
            "wsgi.multithread": False,
            "wsgi.run_once": False,
            "wsgi.url_scheme": "https",
            "wsgi.version": (1, 0),
        }
        assert capture.input == b'{"hello": "world"}'
        assert response == {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "cookies": ["s=1"],
            "body": '{"a":1}',
            "isBase64Encoded": False,
        }

    def test_base64_body_capture(self) -> None:
        capture, response = run(
            load_event(
                "aws-lambda-go/lambdaurl/function-url-domain-only-request-with-base64-encoded-body.json"
            )
        )
        assert capture.environ["cdk_wsgi.source"] == "function_url"
        assert capture.input
        assert response["statusCode"] == 200

    def test_raw_path_is_percent_decoded_and_never_stage_stripped(self) -> None:
        capture, _ = run(make_function_url_event(raw_path="/%24default/a%20b%2Fc"))
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            "",
            "/$default/a b/c",
        )
        assert capture.environ["cdk_wsgi.raw_uri"] == "/%24default/a%20b%2Fc"
