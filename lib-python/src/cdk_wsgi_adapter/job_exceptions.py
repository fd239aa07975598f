"""Exceptions raised by background tasks, event handlers and scheduled commands.

Apart from exceptions.py, which every invocation imports: each class costs a cold start
about 100,000 instructions (bench/instructions), and these are imported only with the
modules that raise them."""

from __future__ import annotations


class UnknownTaskError(LookupError):
    """Raised when a task event names no function registered with `@task`."""


class TaskQueueError(RuntimeError):
    """Raised when Lambda does not queue a background task (`.delay()` on Lambda)."""


class EventHandlerImportError(ImportError):
    """Raised when the callable registered for an event source does not import."""


class ScheduledCommandError(RuntimeError):
    """Raised when a scheduled command exits non-zero: the invocation then fails, so
    that the scheduler's retries and the function's error metrics see it."""
