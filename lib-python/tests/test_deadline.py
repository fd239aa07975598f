"""Alarm: a call interrupted at its budget, SIGALRM and the timer left as found."""

from __future__ import annotations

import signal
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

from cdk_wsgi_adapter.deadline import Alarm
from cdk_wsgi_adapter.exceptions import DeadlineExceeded

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType


def sleeper(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


@pytest.fixture
def own_handler() -> Iterator[list[int]]:
    """A SIGALRM handler of the test's own, installed and then put back."""
    fired: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        yield fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class TestRun:
    def test_a_call_within_its_budget_returns_its_value(self) -> None:
        alarm = Alarm()
        assert alarm.run(60, lambda: "done") == "done"
        assert not alarm.expired
        assert not alarm.armed

    def test_a_blocking_call_is_interrupted(self) -> None:
        alarm = Alarm()
        with pytest.raises(DeadlineExceeded):
            alarm.run(0.05, lambda: sleeper(60))
        assert alarm.expired

    def test_no_time_left_interrupts_at_once(self) -> None:
        with pytest.raises(DeadlineExceeded):
            Alarm().run(-1, lambda: sleeper(60))

    @pytest.mark.parametrize("seconds", [float("inf"), 1e15])
    def test_a_budget_past_any_timer_is_armed_at_a_day(self, seconds: float) -> None:
        def armed() -> float:
            return signal.getitimer(signal.ITIMER_REAL)[0]

        assert 86_000 < Alarm().run(seconds, armed) <= 86_400
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)

    def test_armed_only_while_the_call_runs(self) -> None:
        alarm = Alarm()
        assert alarm.run(60, lambda: alarm.armed) is True
        assert alarm.armed is False

    def test_the_previous_handler_and_timer_are_restored(
        self, own_handler: list[int]
    ) -> None:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with pytest.raises(DeadlineExceeded):
            Alarm().run(0.05, lambda: sleeper(60))
        assert signal.getsignal(signal.SIGALRM) is not None
        assert signal.getsignal(signal.SIGALRM).__name__ == "handler"  # type: ignore[union-attr]
        delay, interval = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < delay <= 30
        assert interval == 0
        assert own_handler == []

    def test_a_previous_timer_that_fell_due_meanwhile_fires_after(
        self, own_handler: list[int]
    ) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        # Ours replaced it for the call; it fires once the call is over.
        assert Alarm().run(60, lambda: sleeper(0.1)) == "woke"
        for _ in range(500):  # bounded: at most 5 s
            if own_handler:
                break
            time.sleep(0.01)
        assert own_handler == [signal.SIGALRM]

    def test_the_signal_outside_a_call_is_ignored(self) -> None:
        alarm = Alarm()
        alarm._on_alarm(signal.SIGALRM, None)  # as if it fired just after the call
        assert not alarm.expired

    def test_outside_the_main_thread_the_call_just_runs(self) -> None:
        results: list[Any] = []
        alarm = Alarm()

        def target() -> None:
            results.append(alarm.run(0.01, lambda: sleeper(0.1)))
            results.append(alarm.armed)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join(timeout=30)
        assert results == ["woke", False]
        assert not alarm.expired

    def test_without_sigalrm_the_call_just_runs(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delattr(signal, "setitimer")
        assert Alarm().run(0.01, lambda: sleeper(0.1)) == "woke"


class TestHold:
    def test_the_interruption_waits_for_release(self) -> None:
        alarm = Alarm()
        steps: list[str] = []

        def call() -> None:
            alarm.hold()
            time.sleep(0.2)  # the budget ends here, and the sleep goes on
            steps.append("held to the end")
            alarm.release()
            steps.append("never")

        with pytest.raises(DeadlineExceeded):
            alarm.run(0.02, call)
        assert steps == ["held to the end"]
        assert alarm.expired

    def test_nested_holds_wait_for_the_outermost(self) -> None:
        alarm = Alarm()
        steps: list[str] = []

        def call() -> None:
            alarm.hold()
            alarm.hold()
            time.sleep(0.2)
            alarm.release()
            steps.append("inner released")
            alarm.release()

        with pytest.raises(DeadlineExceeded):
            alarm.run(0.02, call)
        assert steps == ["inner released"]

    def test_release_within_the_budget_goes_on(self) -> None:
        alarm = Alarm()

        def call() -> str:
            alarm.hold()
            alarm.release()
            return "done"

        assert alarm.run(60, call) == "done"

    def test_hold_and_release_outside_a_call_do_nothing(self) -> None:
        alarm = Alarm()
        alarm.hold()
        alarm.release()
        assert not alarm.expired
