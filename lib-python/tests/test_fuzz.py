"""Hypothesis fuzzing: the adapter never raises on HTTP-shaped events and always answers well."""

from __future__ import annotations

import base64
import itertools
import json
import re
import string
import warnings
from collections.abc import Callable
from random import Random
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


# RFC 4648 section 4 base64, restated independently of the adapter: groups of four
# alphabet characters, the last one possibly padded.
STRICT_BASE64 = re.compile(
    r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
)
BASE64_ALPHABET = string.ascii_letters + string.digits + "+/"


@st.composite
def base64_bodies(draw: st.DrawFn) -> str:
    """Valid base64, base64 damaged once, alphabet soup, or any text."""
    valid = base64.b64encode(draw(st.binary(max_size=24))).decode()
    damaged = st.one_of(
        st.just(valid.rstrip("=")),  # padding dropped
        st.just(valid + "="),
        st.just(valid + "===="),
        st.just("=" + valid),
        st.builds(
            lambda index, char: valid[:index] + char + valid[index:],
            st.integers(0, len(valid)),
            st.sampled_from(["\n", " ", "\r\n", "!", "-", "_", "=", "\u00e9", "\0"]),
        ),
        st.builds(lambda index: valid[:index] + valid[index + 1 :], st.integers(0, 40)),
    )
    return draw(
        st.just(valid)
        | damaged
        | st.text(st.sampled_from(BASE64_ALPHABET + "="), max_size=12)
        | st.text(max_size=12)
    )


class TestBase64Bodies:
    @settings(max_examples=300)
    @given(st.sampled_from(sorted(FACTORIES)), base64_bodies())
    def test_strict_base64_or_a_400(self, source: str, body: str) -> None:
        event = FACTORIES[source]()
        event["body"], event["isBase64Encoded"] = body, True
        capture = Capture()
        response = make_handler(capture.app)(event, ContextStub())
        if STRICT_BASE64.fullmatch(body):
            assert response["statusCode"] == 200
            assert capture.input == base64.b64decode(body)
        else:
            assert response["statusCode"] == 400


# X-Forwarded-For in a few spellings, each with its values, in any order.
spellings = st.lists(
    st.sampled_from(
        ["x-forwarded-for", "X-Forwarded-For", "X-FORWARDED-FOR", "x-Forwarded-for"]
    ),
    min_size=1,
    max_size=4,
    unique=True,
)
addresses = st.lists(
    st.lists(
        st.ip_addresses(v=4).map(str) | st.sampled_from(["unknown", " 2001:db8::1 "]),
        min_size=1,
        max_size=3,
    ).map(", ".join),
    min_size=1,
    max_size=2,
)
#: Several spellings of a few headers, each with its values (in multi-value form).
header_spellings = st.lists(
    st.tuples(
        st.sampled_from(
            ["Accept", "accept", "ACCEPT", "Cookie", "cookie", "X-A", "x-a", "x-A"]
        ),
        st.lists(
            st.text(string.ascii_letters, min_size=1, max_size=3),
            min_size=1,
            max_size=2,
        ),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda pair: pair[0],
)


def environ_of(event: dict[str, Any]) -> dict[str, Any]:
    capture = Capture()
    make_handler(capture.app)(event, ContextStub())
    return capture.computed()


def v2_headers(pairs: list[tuple[str, list[str]]]) -> dict[str, Any]:
    return make_http_event(headers={name: ",".join(group) for name, group in pairs})


def rest_headers(pairs: list[tuple[str, list[str]]]) -> dict[str, Any]:
    return make_rest_event(headers=dict(pairs))


def alb_headers(pairs: list[tuple[str, list[str]]]) -> dict[str, Any]:
    return make_alb_event(headers=dict(pairs), multi_value=True)


class TestHeaderSpellings:
    """An event's map cannot say how differently spelled lines of one header were
    ordered: the environ is the same whatever the map's order."""

    @settings(max_examples=200)
    @given(spellings, st.data(), st.booleans())
    def test_alb_remote_addr_is_alb_s_hop_whatever_the_order(
        self, names: list[str], data: st.DataObject, multi_value: bool
    ) -> None:
        values = {name: data.draw(addresses, label=name) for name in names}
        if not multi_value:  # one value per name in single-value mode
            values = {name: group[-1:] for name, group in values.items()}
        environs = []
        for order in itertools.permutations(names):
            headers = {"host": ["alb.example.com"]}
            headers.update((name, values[name]) for name in order)
            environs.append(
                environ_of(make_alb_event(headers=headers, multi_value=multi_value))
            )
        assert all(environ == environs[0] for environ in environs)
        remote_addr = environs[0].get("REMOTE_ADDR")
        if "x-forwarded-for" in values:  # the spelling ALB sends: its last hop
            last = values["x-forwarded-for"][-1]
            assert remote_addr == last.rpartition(",")[2].strip()
        # The app reading X-Forwarded-For's last hop finds the same address.
        joined = environs[0]["HTTP_X_FORWARDED_FOR"]
        assert remote_addr == joined.rpartition(",")[2].strip()

    @settings(max_examples=100)
    @given(header_spellings, st.randoms(use_true_random=False))
    def test_every_source_joins_spellings_whatever_the_order(
        self, pairs: list[tuple[str, list[str]]], random: Random
    ) -> None:
        shuffled = list(pairs)
        random.shuffle(shuffled)
        for build in (rest_headers, alb_headers, v2_headers):
            assert environ_of(build(pairs)) == environ_of(build(shuffled))
