"""Events from sources that are not HTTP front doors are rejected, never passed to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from cdk_wsgi_adapter import UnsupportedEventError, make_handler
from conftest import ContextStub, exploding_app, load_event

if TYPE_CHECKING:
    pass


handler = make_handler(exploding_app)


class TestRejected:
    @pytest.mark.parametrize(
        ("relative", "seen"),
        [
            ("powertools-lambda-python/vpcLatticeEvent.json", "version None"),
            # Lattice v2 says version "2.0" but has no rawPath/requestContext.http.
            ("powertools-lambda-python/vpcLatticeV2Event.json", "version '2.0'"),
            ("powertools-lambda-python/eventBridgeEvent.json", "source 'aws.ec2'"),
        ],
    )
    def test_real_non_http_events(
        self, relative: str, seen: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        with pytest.raises(UnsupportedEventError, match="unsupported event") as info:
            handler(load_event(relative), ContextStub())
        assert seen in str(info.value)
        assert "keys [" in str(info.value)
        assert str(info.value) in caplog.text

    @pytest.mark.parametrize(
        "event",
        [
            {"Records": [{"eventSource": "aws:s3"}]},
            {"Records": [{"eventSource": "aws:sqs"}]},
            {"version": "3.0", "rawPath": "/", "requestContext": {"http": {}}},
            {"version": "2.0", "rawPath": "/", "requestContext": None},
            {"version": "2.0", "requestContext": {"http": {"method": "GET"}}},
            {"requestContext": {"elbx": {}}, "version": "9"},
        ],
    )
    def test_synthetic_non_http_events(self, event: dict[str, Any]) -> None:
        with pytest.raises(UnsupportedEventError):
            handler(event, ContextStub())

    @pytest.mark.parametrize("event", [None, [], "GET /", 42])
    def test_non_object_events(self, event: Any) -> None:
        with pytest.raises(UnsupportedEventError, match=f"a {type(event).__name__}"):
            handler(event, ContextStub())
