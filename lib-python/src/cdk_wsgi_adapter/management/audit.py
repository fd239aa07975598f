"""The record each management command leaves in the function's log before it runs:
CloudTrail has who invoked the function, not what they ran."""

from __future__ import annotations

import json
import os

from ..log import LOGGER_NAME

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from typing import Any

#: The logger of the record each command leaves before it runs.
AUDIT_LOGGER_NAME = LOGGER_NAME + ".audit"
#: Characters of a command's text (JSON) the record keeps.
AUDIT_TEXT_LIMIT = 2000


def audit(kind: str, argument: Any, qualifier: str | None) -> None:
    """Log what is about to run, bounded: the function's log is the record of who
    could have done what."""
    text = json.dumps(argument, ensure_ascii=False)
    if len(text) > AUDIT_TEXT_LIMIT:
        cut = len(text) - AUDIT_TEXT_LIMIT
        text = f"{text[:AUDIT_TEXT_LIMIT]}... [{cut} more characters not logged]"
    audit_logger().info("management command (%s) through %r: %s", kind, qualifier, text)


def audit_logger() -> logging.Logger:
    """The audit logger, at INFO unless the function sets an application log level.

    Lambda's Python runtime sets the root logger's level only from
    AWS_LAMBDA_LOG_LEVEL, which Lambda sets with an application log level (JSON logs
    only: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html;
    awslambdaric's bootstrap._setup_logging). Without one the root stays at
    Python's WARNING and INFO records are dropped: the record would be lost. A level
    the function chose, or one set on this logger, is kept."""
    import logging

    audit_log = logging.getLogger(AUDIT_LOGGER_NAME)
    if audit_log.level == logging.NOTSET and not os.environ.get("AWS_LAMBDA_LOG_LEVEL"):
        audit_log.setLevel(logging.INFO)
    return audit_log
