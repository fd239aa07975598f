"""API Gateway HTTP API events, payload format 2.0."""

from __future__ import annotations

from functools import partial

from . import payload_v2
from .base import LAMBDA_RESPONSE_LIMIT

__all__ = ["NAME", "RESPONSE_LIMIT", "to_environ", "to_response"]

NAME = "http_v2"
RESPONSE_LIMIT = LAMBDA_RESPONSE_LIMIT


# Partials, not wrapper functions: one Python frame less on every request.
#: Build the environ. HTTP API rawPath arrives already percent-decoded, despite its
#: name.
to_environ = partial(payload_v2.environ_for, NAME, False)
#: The payload 2.0 response.
to_response = payload_v2.to_response
