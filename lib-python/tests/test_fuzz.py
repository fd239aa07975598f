"""Hypothesis fuzzing: the adapter never raises on HTTP-shaped events and always answers well."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any
from wsgiref.validate import WSGIWarning

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdk_wsgi_adapter import UnsupportedEventError, make_handler
from conftest import Capture, ContextStub
from events import (
    make_alb_event,
    make_function_url_event,
    make_http_event,
    make_rest_event,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)

FACTORIES: dict[str, Callable[[], dict[str, Any]]] = {
    "rest_v1": make_rest_event,
    "http_v2": make_http_event,
    "function_url": make_function_url_event,
    "alb": make_alb_event,
}
TOP_KEYS = [
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "body",
    "isBase64Encoded",
    "rawPath",
    "rawQueryString",
    "cookies",
    "version",
    "requestContext",
]
CONTEXT_KEYS = [
    "domainName",
    "stage",
    "identity",
    "authorizer",
    "http",
    "protocol",
    "elb",
]


@st.composite
def mutated_events(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event of a random source with a few fields replaced by arbitrary JSON."""
    event = FACTORIES[draw(st.sampled_from(sorted(FACTORIES)))]()
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()) and isinstance(event.get("requestContext"), dict):
            event["requestContext"][draw(st.sampled_from(CONTEXT_KEYS))] = draw(
                json_values
            )
        else:
            event[draw(st.sampled_from(TOP_KEYS))] = draw(json_values)
    # Round-trip through JSON: Lambda only ever hands the handler decoded JSON.
    decoded: dict[str, Any] = json.loads(json.dumps(event))
    return decoded


def well_formed(response: dict[str, Any]) -> None:
    assert isinstance(response["statusCode"], int)
    assert isinstance(response["body"], str)
    assert isinstance(response["isBase64Encoded"], bool)
    json.dumps(response)


capture = Capture(headers=[("Content-Type", "text/plain"), ("Set-Cookie", "a=1")])
handler = make_handler(
    capture.app, base_paths={"abc123.execute-api.us-east-1.amazonaws.com": "v1"}
)


class TestFuzz:
    @settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
    @given(mutated_events())
    def test_mutated_http_events_never_crash(self, event: dict[str, Any]) -> None:
        try:
            with warnings.catch_warnings():
                # Odd but harmless values (an unknown method) only earn a validator warning.
                warnings.simplefilter("ignore", WSGIWarning)
                response = handler(event, ContextStub())
        except UnsupportedEventError:
            return
        well_formed(response)
        assert response["statusCode"] in (200, 400)

    @settings(max_examples=200)
    @given(st.dictionaries(st.text(max_size=12), json_values, max_size=6))
    def test_arbitrary_objects_are_answered_or_rejected(
        self, event: dict[str, Any]
    ) -> None:
        try:
            response = handler(event, ContextStub())
        except UnsupportedEventError:
            return
        if "warmed" in response:
            assert response == {"warmed": 1}
        else:
            well_formed(response)
