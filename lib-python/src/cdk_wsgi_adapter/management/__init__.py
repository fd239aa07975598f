"""Management commands: Python code, shell commands, Django's manage.py and the Flask
CLI, run inside the function, where the app is imported and its settings loaded.

The `cdk-wsgi exec | command | manage | flask` CLI invokes the function's `manage`
alias (config.MANAGE_ALIAS_NAME) with IAM credentials and `{"source":
"cdk-wsgi.command", "kind": ..., ...}` (config.COMMAND_SOURCE); deploy tasks invoke a
new version by its number. Through any other qualifier a command is refused (access),
so that the right to invoke `live`, which front doors and the app's callers hold, is
never the right to run code. API Gateway, Function URLs and ALB build their events
themselves and never give a client a top-level key, so no HTTP request gets here. Each
command is logged before it runs (audit). Imported only when a command arrives: HTTP
requests never pay for this package.

The kind (kinds) runs in a shell (shell) or in this process (in_process). The answer
carries the exit status (exits) and the output chunks, each tagged with its stream, in
the order written, bounded to fit Lambda's response limit (output). A scheduled
command (the event names its schedule) also logs its output and fails the invocation
when it exits non-zero (scheduled).
"""

from __future__ import annotations

import time

from ..config import MANAGE_ALIAS_NAME, MANAGEMENT_VARIABLE, SCHEDULE_FIELD
from ..invocation import invoked_qualifier
from ..log import logger
from .access import OFF_MESSAGE, accepts, describe, refusal, turned_off
from .audit import AUDIT_LOGGER_NAME, AUDIT_TEXT_LIMIT, audit, audit_logger
from .exits import EXIT_CANNOT_RUN, EXIT_REFUSED, EXIT_TIMED_OUT, EXIT_USAGE
from .in_process import run_in_process
from .kinds import parse, run_command
from .output import HEAD_LIMIT, MARGIN, TAIL_LIMIT, Output
from .shell import DRAIN_SECONDS, EXIT_GRACE_SECONDS, POLL_SECONDS, run_shell

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIApplication

__all__ = [
    "AUDIT_LOGGER_NAME",
    "AUDIT_TEXT_LIMIT",
    "DEFAULT_MILLIS",
    "DRAIN_SECONDS",
    "EXIT_CANNOT_RUN",
    "EXIT_GRACE_SECONDS",
    "EXIT_REFUSED",
    "EXIT_TIMED_OUT",
    "EXIT_USAGE",
    "HEAD_LIMIT",
    "MARGIN",
    "POLL_SECONDS",
    "RESERVE_MILLIS",
    "TAIL_LIMIT",
    "Output",
    "accepts",
    "answer_command",
    "audit_logger",
    "run_in_process",
    "run_shell",
]

#: What a command leaves of the function's remaining time, to send the answer.
RESERVE_MILLIS = 1000
#: The time a command gets when the context cannot tell: Lambda's longest timeout.
DEFAULT_MILLIS = 900_000


def answer_command(event: Json, context: Any, app: WSGIApplication) -> Json:
    """Run the command `event` names and answer with its exit code and output. Never
    raises for a command turned off, malformed or failing, unless it is a scheduled
    one (SCHEDULE_FIELD): then its output is logged and a non-zero exit raises
    ScheduledCommandError."""
    answer = _run(event, context, app)
    if SCHEDULE_FIELD in event:
        from .scheduled import report

        report(event[SCHEDULE_FIELD], event, answer)
    return answer


def _run(event: Json, context: Any, app: WSGIApplication) -> Json:
    if turned_off():
        logger().warning(
            "management command refused: %s is 0 (managementCommands: false)",
            MANAGEMENT_VARIABLE,
        )
        return _answer(EXIT_REFUSED, [["stderr", OFF_MESSAGE]])
    qualifier = invoked_qualifier(context)
    if not accepts(qualifier):
        via = describe(context, qualifier)
        logger().warning(
            "management command refused: invoked through %s, not the %s alias or a "
            "numbered version",
            via,
            MANAGE_ALIAS_NAME,
        )
        return _answer(EXIT_REFUSED, [["stderr", refusal(via)]])
    kind, command, problem = parse(event)
    if problem:
        logger().error("malformed management command: %s", problem)
        return _answer(EXIT_USAGE, [["stderr", f"cdk-wsgi: error: {problem}\n"]])
    audit(kind, command, qualifier)
    output = Output()
    start = time.monotonic()
    code = run_command(kind, command, app, output, _deadline(context, start))
    logger().info(
        "management command (%s) exited with %d after %.1f s%s",
        kind,
        code,
        time.monotonic() - start,
        ", its output cut to fit the response" if output.cut else "",
    )
    return _answer(code, output.chunks(), truncated=bool(output.cut))


def _answer(code: int, output: list[list[str]], *, truncated: bool = False) -> Json:
    return {"exitCode": code, "output": output, "truncated": truncated}


def _deadline(context: Any, start: float) -> float:
    """When a command must stop for the answer to get back in time."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    millis = remaining() if callable(remaining) else DEFAULT_MILLIS
    return start + max(0, millis - RESERVE_MILLIS) / 1000
