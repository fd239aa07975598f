"""The package logger, imported lazily: `logging` costs ~10 ms, used on errors only."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging

#: Lambda's runtime configures the root handler, so records from this logger reach
#: CloudWatch.
LOGGER_NAME = "cdk_wsgi_adapter"


def logger() -> logging.Logger:
    """Return the `cdk_wsgi_adapter` logger."""
    import logging

    return logging.getLogger(LOGGER_NAME)
