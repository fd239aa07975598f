"""The exit statuses the adapter answers with itself, as shells and coreutils use them,
and the note a command stopped at its deadline ends with."""

from __future__ import annotations

EXIT_USAGE = 2  # a malformed command event (argparse's usage errors)
EXIT_TIMED_OUT = 124  # coreutils `timeout`
EXIT_REFUSED = 126  # "found but cannot be run": off, or not through `manage`
EXIT_CANNOT_RUN = 127  # /bin/sh could not be started


def stopped(seconds: float) -> str:
    """The stderr note of a command stopped after `seconds`, answered EXIT_TIMED_OUT."""
    return (
        f"\ncdk-wsgi: stopped the command after {seconds:.1f} s, "
        "as the function was about to time out\n"
    )
