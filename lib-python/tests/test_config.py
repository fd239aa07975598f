"""Pins the TS<->Python contract: changing any literal here is a breaking change.

The TypeScript side pins the same strings in src/private/adapter-contract.ts.
"""

from __future__ import annotations

import pytest

from cdk_wsgi_adapter import config
from cdk_wsgi_adapter.config import load_settings, parse_base_paths


class TestContract:
    def test_variable_names(self) -> None:
        assert config.APP_VARIABLE == "CDK_WSGI_APP"
        assert config.TEXT_MEDIA_TYPES_VARIABLE == "CDK_WSGI_TEXT_MEDIA_TYPES"
        assert config.BINARY_MEDIA_TYPES_VARIABLE == "CDK_WSGI_BINARY_MEDIA_TYPES"
        assert config.BASE_PATHS_VARIABLE == "CDK_WSGI_BASE_PATHS"

    def test_warm_up_event_shape(self) -> None:
        assert config.WARM_UP_SOURCE == "cdk-wsgi.warm-up"
        assert config.WARM_UP_CONCURRENCY_KEY == "concurrency"
        assert config.WARM_UP_MAX_CONCURRENCY == 100
        from cdk_wsgi_adapter.warmup import warm_up_concurrency

        assert (
            warm_up_concurrency({"source": "cdk-wsgi.warm-up", "concurrency": 3}) == 3
        )


class TestLoadSettings:
    def test_empty_environment(self) -> None:
        app, options = load_settings({})
        assert app is None
        assert options.binary_media_types is None
        assert options.base_paths == {}
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

    @pytest.mark.parametrize("value", ["{not json", "[1]", '{"a": 1}', "null"])
    def test_malformed_base_paths_are_logged_and_ignored(
        self, value: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert parse_base_paths(value) == {}
        assert "CDK_WSGI_BASE_PATHS must be a JSON object" in caplog.text
