"""Scheduled commands: the command event with the schedule's name, as EventBridge
Scheduler sends it through the manage alias. Its output is logged, and a non-zero exit
fails the invocation."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import pytest

from cdk_wsgi_adapter.job_exceptions import ScheduledCommandError
from commands import command
from conftest import Invoked

if TYPE_CHECKING:
    from cdk_wsgi_adapter.compat import WSGIApplication


def job_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "cdk_wsgi_adapter.jobs"]


def error_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


class TestScheduled:
    def test_success_logs_each_chunk_and_answers_as_any_command(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        code = "import sys; print('one'); print('two', file=sys.stderr, flush=True); print('three')"
        answer = command("python", code=code, schedule="nightly-report")
        assert answer == {
            "exitCode": 0,
            "output": [["stdout", "one\n"], ["stderr", "two\n"], ["stdout", "three\n"]],
            "truncated": False,
        }
        assert job_lines(caplog) == [
            "schedule nightly-report stdout: one",
            "schedule nightly-report stderr: two",
            "schedule nightly-report stdout: three",
            f"schedule nightly-report: python {code!r} exited with 0",
        ]
        assert error_lines(caplog) == []

    def test_a_non_zero_exit_fails_the_invocation(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with pytest.raises(ScheduledCommandError) as info:
            command("shell", command="echo partial; exit 3", schedule="cleanup")
        assert str(info.value) == (
            "scheduled command 'cleanup' failed: shell 'echo partial; exit 3' exited "
            "with 3"
        )
        assert job_lines(caplog) == ["schedule cleanup stdout: partial"]
        assert error_lines(caplog)[-1] == str(info.value)

    def test_a_kind_the_app_cannot_run_fails_it_with_the_existing_message(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        from apps import django_app

        app: WSGIApplication = django_app.app
        with pytest.raises(
            ScheduledCommandError,
            match=r"^scheduled command 'routes' failed: flask \['routes'\] exited with 2$",
        ):
            command("flask", args=["routes"], app=app, schedule="routes")
        [output] = job_lines(caplog)
        assert output.startswith(
            "schedule routes stderr: Usage: flask routes [OPTIONS]"
        )
        assert "Error: the function's WSGI app is not a Flask app" in output

    @pytest.mark.parametrize(
        ("fields", "context", "failure", "logged"),
        [
            (
                {"kind": "shell", "command": "true"},
                Invoked("live"),
                "shell 'true' exited with 126",
                "schedule s stderr: cdk-wsgi: management commands run only through "
                "the function's 'manage' alias",
            ),
            (
                {"kind": "bash", "command": "true"},
                None,
                "kind 'bash' exited with 2",
                "schedule s stderr: cdk-wsgi: error: kind must be one of python, "
                "shell, manage, flask; got 'bash'",
            ),
            (
                {"kind": "manage", "args": "migrate"},
                None,
                "manage 'migrate' exited with 2",
                "schedule s stderr: cdk-wsgi: error: manage needs 'args', a list",
            ),
        ],
    )
    def test_refused_and_malformed_commands_fail_it_too(
        self,
        fields: dict[str, Any],
        context: Any,
        failure: str,
        logged: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        kind = fields.pop("kind")
        with pytest.raises(ScheduledCommandError) as info:
            command(kind, context=context, schedule="s", **fields)
        assert str(info.value) == f"scheduled command 's' failed: {failure}"
        [line] = job_lines(caplog)
        assert line.startswith(logged)

    def test_turned_off_fails_it(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        monkeypatch.setenv("CDK_WSGI_MANAGEMENT", "0")
        with pytest.raises(ScheduledCommandError, match="exited with 126$"):
            command("shell", command="true", schedule="s")
        assert job_lines(caplog) == [
            "schedule s stderr: management commands are turned off for this function "
            "(managementCommands: false)"
        ]

    def test_a_long_command_and_an_odd_name_are_shown_bounded(self) -> None:
        script = "exit 1 #" + "x" * 500
        with pytest.raises(ScheduledCommandError) as info:
            command("shell", command=script, schedule=["not", "a", "name"])
        message = str(info.value)
        assert re.fullmatch(
            r"scheduled command \"\['not', 'a', 'name'\]\" failed: shell 'exit 1 #x+\.\.\. exited with 1",
            message,
        )
        assert len(message) < 300

    def test_without_the_field_a_failing_command_is_only_answered(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert command("shell", command="exit 3")["exitCode"] == 3
        assert job_lines(caplog) == []
