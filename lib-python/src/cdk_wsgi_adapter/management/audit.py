"""The record each management command leaves in the function's log before it runs:
CloudTrail has who invoked the function, not what they ran."""

from __future__ import annotations

import json

from ..log import LOGGER_NAME, info_logger

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
    """The audit logger, at INFO unless the function sets an application log level
    (log.info_logger): the record must not be lost to Python's default WARNING."""
    return info_logger(AUDIT_LOGGER_NAME)
