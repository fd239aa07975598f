"""The construct's settings as the adapter reads them.

test/contract-parity.test.ts compares the names with src/contracts/adapter-contract.ts.
"""

from __future__ import annotations

import pytest

from cdk_wsgi_adapter.config import load_settings, parse_base_paths, parse_prime


class TestLoadSettings:
    def test_empty_environment(self) -> None:
        app, options = load_settings({})
        assert app is None
        assert options.binary_media_types is None
        assert options.base_paths == {}
        assert options.origin_secret is None
        assert "text/*" in options.text_media_types.patterns

    def test_all_variables(self) -> None:
        app, options = load_settings(
            {
                "CDK_WSGI_APP": " app:server ",
                "CDK_WSGI_TEXT_MEDIA_TYPES": " application/vnd.a+yaml ,, Font/* ",
                "CDK_WSGI_BINARY_MEDIA_TYPES": "image/png,*/*",
                "CDK_WSGI_BASE_PATHS": '{"API.example.com": "/v1/api/", "www.example.com": ""}',
            }
        )
        assert app == "app:server"
        assert options.text_media_types.patterns[-2:] == (
            "application/vnd.a+yaml",
            "font/*",
        )
        assert options.binary_media_types is not None
        assert options.binary_media_types.patterns == ("image/png", "*/*")
        assert options.base_paths == {
            "api.example.com": "v1/api",
            "www.example.com": "",
        }
        assert repr(options.binary_media_types) == "MediaTypes(('image/png', '*/*'))"

    def test_empty_binary_list_still_restricts(self) -> None:
        options = load_settings({"CDK_WSGI_BINARY_MEDIA_TYPES": ""})[1]
        assert options.binary_media_types is not None
        assert options.binary_media_types.patterns == ()

    def test_origin_secret_as_utf8_bytes_read_once(self) -> None:
        options = load_settings({"CDK_WSGI_ORIGIN_SECRET": "k9#Qz!v é"})[1]
        assert options.origin_secret == "k9#Qz!v é".encode()

    def test_empty_origin_secret_is_no_distribution(self) -> None:
        assert load_settings({"CDK_WSGI_ORIGIN_SECRET": ""})[1].origin_secret is None

    @pytest.mark.parametrize("value", ["{not json", "[1]", '{"a": 1}', "null"])
    def test_malformed_base_paths_are_logged_and_ignored(
        self, value: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert parse_base_paths(value) == {}
        assert "CDK_WSGI_BASE_PATHS must be a JSON object" in caplog.text


class TestParsePrime:
    def test_valid(self, caplog: pytest.LogCaptureFixture) -> None:
        prime = parse_prime(
            '{"apiType": "REST", "host": "abc123.execute-api.eu-west-1.amazonaws.com",'
            ' "stage": "prod", "paths": ["/", "/health"], "timeoutMillis": 5000}'
        )
        assert prime is not None
        assert (
            prime.api_type,
            prime.host,
            prime.stage,
            prime.paths,
            prime.timeout_millis,
        ) == (
            "REST",
            "abc123.execute-api.eu-west-1.amazonaws.com",
            "prod",
            ("/", "/health"),
            5000,
        )
        assert caplog.text == ""

    def test_http_default_stage_repeated_paths_and_unknown_keys(self) -> None:
        prime = parse_prime(
            '{"apiType": "HTTP", "host": "api.example.com", "stage": "$default",'
            ' "paths": ["/b", "/a", "/b"], "timeoutMillis": 1, "later": true}'
        )
        assert prime is not None
        assert (prime.api_type, prime.stage, prime.paths) == (
            "HTTP",
            "$default",
            ("/b", "/a"),
        )

    def test_function_url(self) -> None:
        prime = parse_prime(
            '{"apiType": "FUNCTION_URL", "host": "abc.lambda-url.eu-west-1.on.aws",'
            ' "stage": "$default", "paths": ["/"], "timeoutMillis": 5000}'
        )
        assert prime is not None
        assert (prime.api_type, prime.host, prime.stage) == (
            "FUNCTION_URL",
            "abc.lambda-url.eu-west-1.on.aws",
            "$default",
        )

    def test_alb_with_its_empty_stage(self) -> None:
        # A load balancer has no stages; the construct names none.
        prime = parse_prime(
            '{"apiType": "ALB", "host": "my-alb-1234.eu-west-1.elb.amazonaws.com",'
            ' "stage": "", "paths": ["/"], "timeoutMillis": 5000}'
        )
        assert prime is not None
        assert (prime.api_type, prime.host, prime.stage) == (
            "ALB",
            "my-alb-1234.eu-west-1.elb.amazonaws.com",
            "",
        )

    def test_every_path_character_the_construct_accepts(self) -> None:
        path = "/AZaz09-._~!$&'()*+,;=:@/x/"
        prime = parse_prime(
            f'{{"apiType": "HTTP", "host": "h", "stage": "s", "paths": ["{path}"],'
            ' "timeoutMillis": 900000}'
        )
        assert prime is not None
        assert prime.paths == (path,)

    def test_no_paths(self) -> None:
        prime = parse_prime(
            '{"apiType": "HTTP", "host": "h", "stage": "s", "paths": [],'
            ' "timeoutMillis": 5000}'
        )
        assert prime is not None
        assert prime.paths == ()

    @pytest.mark.parametrize(
        ("value", "problem"),
        [
            ("{not json", "not a JSON object"),
            ('["/"]', "not a JSON object"),
            ("null", "not a JSON object"),
            ('{"host": "h", "stage": "s", "paths": ["/"]}', "apiType must be"),
            (
                '{"apiType": "rest", "host": "h", "stage": "s", "paths": ["/"]}',
                "apiType must be",
            ),
            (
                '{"apiType": "WEBSOCKET", "host": "h", "stage": "s", "paths": ["/"]}',
                "apiType must be 'REST', 'HTTP', 'FUNCTION_URL' or 'ALB'",
            ),
            (
                '{"apiType": "function_url", "host": "h", "stage": "s", "paths": []}',
                "apiType must be",
            ),
            (
                '{"apiType": ["REST"], "host": "h", "stage": "s", "paths": ["/"]}',
                "apiType must be",
            ),
            ('{"apiType": "REST", "stage": "s", "paths": ["/"]}', "host must be"),
            (
                '{"apiType": "REST", "host": "", "stage": "s", "paths": ["/"]}',
                "host must be",
            ),
            (
                '{"apiType": "REST", "host": 1, "stage": "s", "paths": ["/"]}',
                "host must be",
            ),
            ('{"apiType": "REST", "host": "h", "paths": ["/"]}', "stage must be"),
            (
                '{"apiType": "REST", "host": "h", "stage": "", "paths": ["/"]}',
                "stage must be",
            ),
            (
                '{"apiType": "ALB", "host": "h", "stage": null, "paths": ["/"]}',
                "stage must be",
            ),
            ('{"apiType": "REST", "host": "h", "stage": "s"}', "paths must be"),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": "/"}',
                "paths must be",
            ),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": ["health"]}',
                "paths must be",
            ),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": [""]}',
                "paths must be",
            ),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": [1]}',
                "paths must be",
            ),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": ["/a?b=1"]}',
                "paths must be",
            ),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": ["/a#top"]}',
                "paths must be",
            ),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": ["/a%20b"]}',
                "paths must be",
            ),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": ["/a b"]}',
                "paths must be",
            ),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": ["/caf\u00e9"]}',
                "paths must be",
            ),
            (
                '{"apiType": "REST", "host": "h", "stage": "s", "paths": ["/"]}',
                "timeoutMillis must be a positive integer of milliseconds",
            ),
            *(
                (
                    '{"apiType": "REST", "host": "h", "stage": "s", "paths": ["/"],'
                    f' "timeoutMillis": {timeout}}}',
                    "timeoutMillis must be",
                )
                for timeout in ("0", "-1", "1.5", '"5000"', "true", "null")
            ),
        ],
    )
    def test_malformed_is_logged_with_the_value_and_ignored(
        self, value: str, problem: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert parse_prime(value) is None
        [record] = caplog.records
        assert record.levelname == "ERROR"
        assert record.name == "cdk_wsgi_adapter"
        assert record.getMessage().startswith("CDK_WSGI_PRIME is malformed (")
        assert problem in record.getMessage()
        assert record.getMessage().endswith(f"nothing is primed; ignoring {value!r}")
