"""Exceptions raised by the adapter; those of background tasks, event handlers and
scheduled commands are in job_exceptions.py, imported only with them."""

from __future__ import annotations


class UnsupportedEventError(Exception):
    """Raised when an event comes from no source the adapter serves: no HTTP front
    door, and no event handler registered for it."""


class MalformedEventError(ValueError):
    """Raised when an event of a known source has a field of the wrong type."""


class DeadlineExceeded(BaseException):
    """Raised when the adapter's own time budget (priming, a command) runs out; a
    BaseException, so that the app's `except Exception` lets it through."""
