"""The package logger, imported lazily: `logging` costs ~10 ms, used on errors only."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging

#: Lambda's runtime configures the root handler, so records from this logger reach
#: CloudWatch.
LOGGER_NAME = "cdk_wsgi_adapter"
#: The logger of background tasks, event handlers and scheduled commands: what ran,
#: and a scheduled command's output.
JOBS_LOGGER_NAME = LOGGER_NAME + ".jobs"


def logger() -> logging.Logger:
    """Return the `cdk_wsgi_adapter` logger."""
    import logging

    return logging.getLogger(LOGGER_NAME)


def info_logger(name: str) -> logging.Logger:
    """The logger `name`, at INFO unless the function sets an application log level.

    Lambda's Python runtime sets the root logger's level only from
    AWS_LAMBDA_LOG_LEVEL, which Lambda sets with an application log level (JSON logs
    only: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html;
    awslambdaric's bootstrap._setup_logging). Without one the root stays at
    Python's WARNING and INFO records are dropped. A level the function chose, or one
    set on this logger, is kept."""
    import logging

    named = logging.getLogger(name)
    if named.level == logging.NOTSET and not os.environ.get("AWS_LAMBDA_LOG_LEVEL"):
        named.setLevel(logging.INFO)
    return named


def jobs_logger() -> logging.Logger:
    """The logger of background tasks, event handlers and scheduled commands."""
    return info_logger(JOBS_LOGGER_NAME)
