"""Lambda Function URL events: payload 2.0 shape with their own quirks."""

from __future__ import annotations

from functools import partial

from . import payload_v2
from .base import LAMBDA_RESPONSE_LIMIT

__all__ = ["NAME", "RESPONSE_LIMIT", "to_environ", "to_response"]

NAME = "function_url"
RESPONSE_LIMIT = LAMBDA_RESPONSE_LIMIT


# Partials, not wrapper functions: one Python frame less on every request.
#: Build the environ. Unlike HTTP API's, a Function URL's rawPath is still
#: percent-encoded.
to_environ = partial(payload_v2.environ_for, NAME, True)
#: The payload 2.0 response.
to_response = payload_v2.to_response
