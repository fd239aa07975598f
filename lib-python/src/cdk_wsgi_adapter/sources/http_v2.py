"""API Gateway HTTP API events, payload format 2.0."""

from __future__ import annotations

from . import payload_v2
from .base import LAMBDA_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options

__all__ = ["NAME", "RESPONSE_LIMIT", "to_environ", "to_response"]

NAME = "http_v2"
RESPONSE_LIMIT = LAMBDA_RESPONSE_LIMIT


def to_environ(event: Json, context: Any, options: Options) -> WSGIEnvironment:
    """HTTP API rawPath arrives already percent-decoded, despite its name."""
    return payload_v2.environ_for(NAME, False, event, context, options)


#: The payload 2.0 response.
to_response = payload_v2.to_response
