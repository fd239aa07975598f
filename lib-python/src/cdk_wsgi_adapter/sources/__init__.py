"""Event sources in detection order.

Order matters because the shapes overlap:
- ALB first: its events carry `httpMethod` and no `version`, exactly like REST, and only
  requestContext.elb tells them apart.
- Function URL before HTTP API: both are payload 2.0; the Function URL domain is the
  narrower test.
- REST last: it matches on the absence of `version`, the weakest signal.
"""

from __future__ import annotations

from . import alb, function_url, http_v2, rest_v1

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .base import EventSource

__all__ = ["SOURCES"]

SOURCES: tuple[EventSource, ...] = (alb, function_url, http_v2, rest_v1)
