"""Scheduled commands: a command event with SCHEDULE_FIELD, sent by the construct's
EventBridge Scheduler schedule. It runs as any command; then its output is logged, one
record per chunk, and a non-zero exit fails the invocation, so that the scheduler's
retries, the dead-letter queue and the function's error metrics see it (nobody reads
the answer of an asynchronous invocation)."""

from __future__ import annotations

from ..config import COMMAND_FIELDS, SCHEDULED_EXIT
from ..job_exceptions import ScheduledCommandError
from ..log import jobs_logger, logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..compat import Json

#: Characters of the command shown in the failure message.
COMMAND_TEXT_LIMIT = 200


def report(schedule: object, event: Json, answer: Json) -> None:
    """Log the command's output, each chunk prefixed with the schedule's name; raise
    ScheduledCommandError, after logging it, when it did not exit 0."""
    name = schedule if isinstance(schedule, str) else repr(schedule)
    log = jobs_logger()
    for stream, text in answer["output"]:
        log.info("schedule %s %s: %s", name, stream, text.rstrip("\n"))
    code = answer["exitCode"]
    command = _command(event)
    if code == 0:
        log.info("schedule %s: %s %s0", name, command, SCHEDULED_EXIT)
        return
    # `cdk-wsgi schedules run` reads the status from the message's end.
    message = f"scheduled command {name!r} failed: {command} {SCHEDULED_EXIT}{code}"
    logger().error("%s", message)
    raise ScheduledCommandError(message)


def _command(event: Json) -> str:
    """The command as the event gives it: `manage ['clearsessions']`."""
    kind = event.get("kind")
    field = COMMAND_FIELDS.get(kind) if isinstance(kind, str) else None
    text = f"{kind} {event.get(field)!r}" if field else f"kind {kind!r}"
    if len(text) > COMMAND_TEXT_LIMIT:
        text = text[: COMMAND_TEXT_LIMIT - 3] + "..."
    return text
