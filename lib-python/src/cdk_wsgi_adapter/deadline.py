"""Time budgets: a call interrupted with DeadlineExceeded when its time runs out.

Lambda's Python runtime runs the init phase and every handler call in the process's
main thread, where a SIGALRM handler can interrupt even a blocking call (a sleep, a
socket read). Anywhere else (another thread, a platform without SIGALRM) nothing can
interrupt a call: Alarm.run then simply calls it, and the caller checks its budget
between calls. Imported only by priming and in-process management commands.
"""

from __future__ import annotations

import signal
import time

from .exceptions import DeadlineExceeded

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import TypeVar

    T = TypeVar("T")

#: setitimer(0) disarms the timer: a budget already spent is armed with this instead.
_AT_ONCE = 1e-6
#: The longest budget armed as such (setitimer overflows somewhere past 1e11 s); far
#: beyond Lambda's 900 s.
_LONGEST = 86_400.0


class Alarm:
    """Runs calls under a budget, one at a time.

    The signal handler raises only while a call runs, and at most once per call (the
    timer fires once), so the code restoring the previous handler and timer cannot be
    interrupted by it. Between hold() and release() (a command's output being
    recorded) the interruption waits, and release() raises it.
    """

    __slots__ = ("armed", "expired", "_held", "_live", "_pending")

    def __init__(self) -> None:
        #: Whether the call in progress can be interrupted (main thread, SIGALRM).
        self.armed = False
        #: Whether a budget ran out, whether or not the call let the exception through.
        self.expired = False
        self._held = 0
        self._live = False
        self._pending = False

    def run(self, seconds: float, call: Callable[[], T]) -> T:
        """call(), interrupted with DeadlineExceeded after `seconds` when it can be;
        the previous SIGALRM handler and real-time timer are restored afterwards."""
        setitimer = getattr(signal, "setitimer", None)
        if setitimer is None:  # Windows: no SIGALRM
            return call()
        previous_timer = signal.getitimer(signal.ITIMER_REAL)
        try:
            previous = signal.signal(signal.SIGALRM, self._on_alarm)
        except ValueError:  # only the main thread of the main interpreter may
            return call()
        start = time.monotonic()
        self._pending = False
        try:
            try:
                self.armed = self._live = True
                setitimer(signal.ITIMER_REAL, min(max(seconds, _AT_ONCE), _LONGEST))
                return call()
            finally:
                self._live = False
        finally:
            setitimer(signal.ITIMER_REAL, 0)
            # None: a handler installed outside Python, which cannot be put back.
            signal.signal(
                signal.SIGALRM, signal.SIG_DFL if previous is None else previous
            )
            delay, interval = previous_timer
            if delay:  # the timer someone else armed goes on, less the time we took
                elapsed = time.monotonic() - start
                setitimer(signal.ITIMER_REAL, max(delay - elapsed, _AT_ONCE), interval)
            self.armed = False

    def hold(self) -> None:
        """Defer the interruption until release()."""
        self._held += 1

    def release(self) -> None:
        """End hold(); raises DeadlineExceeded if the budget ran out meanwhile."""
        self._held -= 1
        if self._pending and not self._held and self._live:
            self._pending = self._live = False
            raise DeadlineExceeded

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        if not self._live:
            return
        self.expired = True
        if self._held:
            self._pending = True
            return
        self._live = False
        raise DeadlineExceeded
