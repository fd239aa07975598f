"""Exceptions raised by the adapter."""

from __future__ import annotations


class UnsupportedEventError(Exception):
    """Raised when an event comes from no HTTP source the adapter serves (S3...)."""


class MalformedEventError(ValueError):
    """Raised when an event of a known HTTP source has a field of the wrong type."""


class DeadlineExceeded(BaseException):
    """Raised when the adapter's own time budget (priming, a command) runs out; a
    BaseException, so that the app's `except Exception` lets it through."""
