"""Management commands: Python code, shell commands, Django's manage.py and the Flask CLI
run in the function, their output bounded to Lambda's response limit; refused when
turned off or malformed; and never started by anything an HTTP client sends."""

from __future__ import annotations

import base64
import copy
import json
import logging
import os
import re
import signal
import sys
import textwrap
import threading
import time
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdk_wsgi_adapter import config, make_handler, management
from cdk_wsgi_adapter.invocation import invoked_qualifier
from cdk_wsgi_adapter.management import Output
from cdk_wsgi_adapter.sources.base import LAMBDA_RESPONSE_LIMIT
from conftest import (
    TESTS,
    Capture,
    ContextStub,
    Invoked,
    exploding_app,
    fresh_python,
    load_event,
)
from events import (
    make_alb_event,
    make_function_url_event,
    make_http_event,
    make_rest_event,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cdk_wsgi_adapter.compat import WSGIApplication

DJANGO_PROJECT = TESTS / "apps" / "djangoproject"


def ShortContext() -> Invoked:
    """Through the manage alias, with 1.5 s left: commands get 0.5 s."""
    return Invoked("manage", remaining_millis=1500)


def command(
    kind: str,
    *,
    app: WSGIApplication = exploding_app,
    context: Any = None,
    **fields: Any,
) -> dict[str, Any]:
    """Send a management command event through make_handler around `app`, invoked
    through the manage alias unless `context` says otherwise."""
    event = {"source": "cdk-wsgi.command", "kind": kind, **fields}
    answer: dict[str, Any] = make_handler(app)(event, context or Invoked("manage"))
    return answer


def python(code: str, **options: Any) -> dict[str, Any]:
    return command("python", code=textwrap.dedent(code), **options)


def shell(script: str, **options: Any) -> dict[str, Any]:
    return command("shell", command=script, **options)


def text_of(answer: dict[str, Any], stream: str) -> str:
    return "".join(text for name, text in answer["output"] if name == stream)


STOPPED = re.compile(
    r"\ncdk-wsgi: stopped the command after \d+\.\d s, "
    r"as the function was about to time out\n"
)


def assert_stopped(answer: dict[str, Any], before: list[list[str]]) -> None:
    """`answer` is a command stopped at its deadline, after writing `before`."""
    assert answer["exitCode"] == 124
    assert answer["truncated"] is False
    *output, [stream, last] = answer["output"]
    assert stream == "stderr"
    note = STOPPED.search(last)
    assert note is not None and note.end() == len(last)
    # The note joins a stderr chunk written just before it.
    if note.start():
        output.append(["stderr", last[: note.start()]])
    assert output == before
    # SIGALRM and the timer are as they were before the command.
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


class TestContract:
    """Pins the event and answer shapes the CLI relies on."""

    def test_names(self) -> None:
        assert config.COMMAND_SOURCE == "cdk-wsgi.command"
        assert config.COMMAND_KINDS == ("python", "shell", "manage", "flask")
        assert config.COMMAND_FIELDS == {
            "python": "code",
            "shell": "command",
            "manage": "args",
            "flask": "args",
        }
        assert config.MANAGEMENT_VARIABLE == "CDK_WSGI_MANAGEMENT"

    def test_answer_shape(self) -> None:
        assert python("print('hi')") == {
            "exitCode": 0,
            "output": [["stdout", "hi\n"]],
            "truncated": False,
        }

    def test_exit_codes_the_adapter_answers_with(self) -> None:
        assert (
            management.EXIT_USAGE,
            management.EXIT_TIMED_OUT,
            management.EXIT_REFUSED,
            management.EXIT_CANNOT_RUN,
        ) == (2, 124, 126, 127)


class TestPython:
    def test_stdout_and_stderr_keep_their_order(self) -> None:
        answer = python(
            """
            import sys
            print("one")
            print("two", file=sys.stderr)
            sys.stdout.write("three ")
            sys.stdout.write("four\\n")
            sys.stderr.write("five\\n")
            print("six", flush=True)
            """
        )
        assert answer == {
            "exitCode": 0,
            "output": [
                ["stdout", "one\n"],
                ["stderr", "two\n"],
                ["stdout", "three four\n"],
                ["stderr", "five\n"],
                ["stdout", "six\n"],
            ],
            "truncated": False,
        }

    @pytest.mark.parametrize(
        ("code", "exit_code", "stderr"),
        [
            ("import sys; sys.exit()", 0, ""),
            ("import sys; sys.exit(None)", 0, ""),
            ("import sys; sys.exit(0)", 0, ""),
            ("import sys; sys.exit(3)", 3, ""),
            ("raise SystemExit(True)", 1, ""),
            ("import sys; sys.exit('bye')", 1, "bye\n"),
            ("raise SystemExit(['a', 1])", 1, "['a', 1]\n"),
        ],
    )
    def test_system_exit_gives_python_s_exit_status(
        self, code: str, exit_code: int, stderr: str
    ) -> None:
        answer = python("print('before')\n" + code + "\nprint('never')")
        assert answer["exitCode"] == exit_code
        assert text_of(answer, "stdout") == "before\n"
        assert text_of(answer, "stderr") == stderr

    def test_an_exception_prints_its_traceback_from_the_code_and_exits_1(
        self,
    ) -> None:
        answer = python(
            """
            def divide():
                return 1 / 0
            print("start")
            divide()
            """
        )
        assert answer["exitCode"] == 1
        assert answer["output"][0] == ["stdout", "start\n"]
        stderr = text_of(answer, "stderr")
        assert stderr.startswith("Traceback (most recent call last):\n")
        assert '  File "<string>", line 5, in <module>\n' in stderr
        assert '  File "<string>", line 3, in divide\n' in stderr
        assert stderr.endswith("ZeroDivisionError: division by zero\n")
        assert "management.py" not in stderr  # the adapter's frames are left out

    def test_a_syntax_error_is_reported_as_python_c_does(self) -> None:
        answer = python("print('never')\n1 +")
        assert answer["exitCode"] == 1
        assert answer["output"] == [["stderr", answer["output"][0][1]]]
        stderr = text_of(answer, "stderr")
        assert stderr.startswith('  File "<string>", line 2\n')
        assert stderr.endswith("SyntaxError: invalid syntax\n")

    def test_other_base_exceptions_are_reported_too(self) -> None:
        answer = python("raise KeyboardInterrupt")
        assert answer["exitCode"] == 1
        assert text_of(answer, "stderr").endswith("KeyboardInterrupt\n")

    def test_runs_in_a_fresh_main_module_like_python_c(self) -> None:
        answer = python(
            """
            import dataclasses, pickle, sys
            @dataclasses.dataclass
            class Point:
                x: int
            point = pickle.loads(pickle.dumps(Point(3)))
            print(__name__, sys.modules["__main__"].Point is Point, point, sys.argv)
            def annotated(x: int) -> None: ...
            # this module's `from __future__ import annotations` is not inherited
            print(annotated.__annotations__["x"] is int)
            """
        )
        assert answer["output"] == [
            ["stdout", "__main__ True Point(x=3) ['-c']\nTrue\n"]
        ]
        assert sys.modules["__main__"].__name__ == "__main__"
        assert "Point" not in vars(sys.modules["__main__"])

    def test_names_do_not_outlive_the_command(self) -> None:
        python("leftover = 1")
        assert python("print('leftover' in globals())")["output"] == [
            ["stdout", "False\n"]
        ]

    def test_the_app_and_its_modules_are_importable(self) -> None:
        from apps.flask_cli_app import app

        answer = python(
            """
            from apps.flask_cli_app import app
            print(app.name, sorted(app.view_functions))
            """,
            app=app,
        )
        assert answer["output"] == [
            ["stdout", "apps.flask_cli_app ['echo', 'hello', 'static']\n"]
        ]

    def test_stdin_is_empty(self) -> None:
        answer = python(
            """
            import sys
            print(repr(sys.stdin.read()))
            input()
            """
        )
        assert answer["exitCode"] == 1
        assert answer["output"][0] == ["stdout", "''\n"]
        assert text_of(answer, "stderr").endswith("EOFError: EOF when reading a line\n")

    def test_bytes_written_to_the_buffer_are_decoded_as_utf8(self) -> None:
        answer = python(
            """
            import sys
            e_acute = "\\u00e9".encode()
            sys.stdout.buffer.write(e_acute[:1])
            sys.stdout.buffer.write(memoryview(e_acute[1:] + b"\\xff|"))
            sys.stderr.buffer.write(e_acute[:1])
            """
        )
        assert answer["output"] == [
            ["stdout", "\u00e9\ufffd|"],
            ["stderr", "\ufffd"],  # an incomplete character at the end
        ]

    def test_text_that_is_not_utf8_is_escaped(self) -> None:
        answer = python(
            r"""
            import sys
            print("caf\u00e9 \ud800 \U0001f600")
            out = sys.stdout
            print(out.encoding, out.errors, out.isatty(), out.writable())
            print(out.buffer.writable())
            """
        )
        assert answer["output"] == [
            [
                "stdout",
                "caf\u00e9 \\ud800 \U0001f600\nutf-8 backslashreplace False True\nTrue\n",
            ]
        ]
        json.dumps(answer, ensure_ascii=False).encode("utf-8")  # valid UTF-8

    def test_streams_reject_bytes_as_text_streams_do(self) -> None:
        answer = python("import sys; sys.stdout.write(b'x')")
        assert text_of(answer, "stderr").endswith(
            "TypeError: write() argument must be str, not bytes\n"
        )

    def test_streams_environment_and_argv_are_restored(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("KEPT", "1")
        streams = sys.stdin, sys.stdout, sys.stderr, sys.argv
        answer = python(
            """
            import os
            os.environ["ADDED"] = "1"
            os.environ["KEPT"] = "2"
            print(os.environ["KEPT"])
            """
        )
        assert answer["output"] == [["stdout", "2\n"]]
        assert (sys.stdin, sys.stdout, sys.stderr, sys.argv) == streams
        assert "ADDED" not in os.environ
        assert os.environ["KEPT"] == "1"

    def test_a_stream_kept_by_the_command_writes_where_it_used_to(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        answer = python(
            """
            import sys, builtins
            builtins.kept_stream = sys.stdout
            print("captured")
            """
        )
        assert answer["output"] == [["stdout", "captured\n"]]
        import builtins

        kept = builtins.kept_stream  # type: ignore[attr-defined]
        del builtins.kept_stream  # type: ignore[attr-defined]
        capsys.readouterr()
        assert kept.write("later\n") == 6
        assert capsys.readouterr().out == "later\n"

    def test_is_logged(self, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level("INFO", logger="cdk_wsgi_adapter")
        python("raise SystemExit(4)")
        assert "management command (python) exited with 4 after" in caplog.text


class TestInProcessDeadline:
    """python, manage and flask commands are stopped before Lambda's timeout would
    lose their output (manage and flask: in their own classes)."""

    def test_the_output_so_far_and_a_note(self) -> None:
        answer = python(
            """
            import sys, time
            print("before", flush=True)
            print("on stderr", file=sys.stderr)
            time.sleep(60)
            print("never")
            """,
            context=ShortContext(),
        )
        assert_stopped(answer, [["stdout", "before\n"], ["stderr", "on stderr\n"]])

    def test_streams_are_restored_and_the_handler_serves_on(self) -> None:
        streams = sys.stdin, sys.stdout, sys.stderr, sys.argv
        python("import time; time.sleep(60)", context=ShortContext())
        assert (sys.stdin, sys.stdout, sys.stderr, sys.argv) == streams
        assert python("print('next')")["output"] == [["stdout", "next\n"]]

    def test_a_command_writing_at_the_deadline_keeps_its_output_whole(self) -> None:
        # The interruption waits while a write is being recorded: the output's
        # accounting holds, however much was written (here, past the size bound).
        import builtins

        answer = python(
            """
            import builtins, sys, time
            line = "x" * 999 + "\\n"
            builtins.flood_written = 0
            end = time.monotonic() + 30
            while time.monotonic() < end:
                sys.stdout.write(line)
                builtins.flood_written += len(line)
            """,
            context=ShortContext(),
        )
        written = builtins.flood_written  # type: ignore[attr-defined]
        del builtins.flood_written  # type: ignore[attr-defined]
        *output, [stream, note] = answer["output"]
        assert (stream, STOPPED.fullmatch(note) is not None) == ("stderr", True)
        assert answer["exitCode"] == 124
        assert len(json.dumps(answer)) < LAMBDA_RESPONSE_LIMIT
        cut = 0
        if answer["truncated"]:
            [(index, message)] = [
                (i, text) for i, (name, text) in enumerate(output) if name == "stderr"
            ]
            cut = int(message.split()[1])
            del output[index]
        assert {name for name, _ in output} == {"stdout"}
        kept = sum(len(text) for _, text in output)
        # The last line may be recorded and not yet counted by the command.
        assert kept + cut in (written, written + 1000)

    def test_no_time_left_stops_it_at_once(self) -> None:
        context = Invoked("manage", remaining_millis=200)
        assert python("import time; time.sleep(60)", context=context)["exitCode"] == 124

    def test_outside_the_main_thread_it_runs_as_before(self) -> None:
        answers: list[dict[str, Any]] = []
        code = "import time; time.sleep(0.8); print('done')"  # past its 0.5 s
        thread = threading.Thread(
            target=lambda: answers.append(python(code, context=ShortContext()))
        )
        thread.start()
        thread.join(timeout=30)
        assert answers == [
            {"exitCode": 0, "output": [["stdout", "done\n"]], "truncated": False}
        ]


def refusal(via: str) -> dict[str, Any]:
    return {
        "exitCode": 126,
        "output": [
            [
                "stderr",
                "cdk-wsgi: management commands run only through the function's "
                f"'manage' alias or a numbered version, and this one came through {via}; "
                "invoke the 'manage' alias, which api.grantManage() grants (the "
                "cdk-wsgi CLI does)\n",
            ]
        ],
        "truncated": False,
    }


class ArnContext:
    def __init__(self, arn: Any) -> None:
        self.invoked_function_arn = arn


class TestQualifier:
    """Commands run only when invoked through the manage alias or a version number:
    the right to invoke `live` (front doors, the app's callers) is not a shell."""

    @pytest.mark.parametrize(
        "context",
        [Invoked("manage"), Invoked("1"), Invoked("42")],
        ids=["manage", "version 1", "version 42"],
    )
    def test_accepted(self, context: Any, tmp_path: Path) -> None:
        marker = tmp_path / "ran"
        assert shell(f"touch {marker}", context=context)["exitCode"] == 0
        assert marker.exists()

    @pytest.mark.parametrize(
        ("context", "via"),
        [
            (Invoked("live"), "'live'"),
            (Invoked("$LATEST"), "'$LATEST'"),
            (Invoked("staging"), "'staging'"),
            (Invoked("Manage"), "'Manage'"),
            (Invoked("\u0664\u0662"), "'\u0664\u0662'"),  # Arabic-Indic digits
            (ContextStub(), "the unqualified function"),
            (Invoked(""), "the unqualified function"),
            (ArnContext("manage"), "the unqualified function"),
            (
                ArnContext("arn:aws:lambda:us-east-1:1:layer:manage:manage"),
                "the unqualified function",
            ),
            (ArnContext(None), "no invoked function ARN"),
            (object(), "no invoked function ARN"),
            (None, "no invoked function ARN"),
        ],
    )
    def test_refused_through_anything_else(
        self, context: Any, via: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        marker = tmp_path / "ran"
        event = {
            "source": "cdk-wsgi.command",
            "kind": "shell",
            "command": f"touch {marker}",
        }
        assert make_handler(exploding_app)(event, context) == refusal(via)
        assert not marker.exists()
        [record] = caplog.records
        assert (record.levelname, record.getMessage()) == (
            "WARNING",
            f"management command refused: invoked through {via}, not the manage alias "
            "or a numbered version",
        )

    def test_a_malformed_command_is_refused_first(self) -> None:
        answer = make_handler(exploding_app)(
            {"source": "cdk-wsgi.command", "kind": "nosuchkind"}, Invoked("live")
        )
        assert answer == refusal("'live'")

    @pytest.mark.parametrize(
        ("arn", "qualifier"),
        [
            ("arn:aws:lambda:us-east-1:123456789012:function:app:manage", "manage"),
            ("arn:aws-cn:lambda:cn-north-1:123456789012:function:app:7", "7"),
            ("arn:aws:lambda:us-east-1:123456789012:function:app", None),
            ("arn:aws:lambda:us-east-1:123456789012:function:app:", None),
            ("arn:aws:lambda:us-east-1:123456789012:function:app:a:b", None),
            # What AWS's runtime emulator builds from AWS_LAMBDA_FUNCTION_NAME=app:manage
            ("arn:aws:lambda:us-east-1:012345678912:function:app:manage", "manage"),
            ("app:manage", None),
            (None, None),
        ],
    )
    def test_the_qualifier_of_the_invoked_arn(
        self, arn: str | None, qualifier: str | None
    ) -> None:
        assert invoked_qualifier(ArnContext(arn)) == qualifier


@pytest.fixture
def audit_level() -> Iterator[logging.Logger]:
    """The audit logger as at cold start (its level unset), and the root logger at
    WARNING, as Lambda's runtime leaves it without an application log level."""
    audit = logging.getLogger("cdk_wsgi_adapter.audit")
    root = logging.getLogger()
    saved = audit.level, root.level
    audit.setLevel(logging.NOTSET)
    root.setLevel(logging.WARNING)
    try:
        yield audit
    finally:
        audit.setLevel(saved[0])
        root.setLevel(saved[1])


def audited(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "cdk_wsgi_adapter.audit"
    ]


class TestAudit:
    """Each command is logged before it runs, visible without an application log
    level, bounded."""

    def test_each_kind_is_logged_before_it_runs(
        self,
        audit_level: logging.Logger,
        caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.delenv("AWS_LAMBDA_LOG_LEVEL", raising=False)
        python("import logging; logging.getLogger('app').warning('running')")
        shell("true", context=Invoked("12"))
        command("manage", args=["check", "--deploy"], app=Capture().app)
        command("flask", args=["routes"], app=Capture().app)
        assert [(r.name, r.levelname) for r in caplog.records[:2]] == [
            ("cdk_wsgi_adapter.audit", "INFO"),
            ("app", "WARNING"),
        ]
        assert audited(caplog) == [
            "management command (python) through 'manage': "
            "\"import logging; logging.getLogger('app').warning('running')\"",
            "management command (shell) through '12': \"true\"",
            'management command (manage) through \'manage\': ["check", "--deploy"]',
            "management command (flask) through 'manage': [\"routes\"]",
        ]
        assert audit_level.level == logging.INFO

    def test_long_text_is_cut_with_a_note(
        self, audit_level: logging.Logger, caplog: pytest.LogCaptureFixture
    ) -> None:
        python("#" + "x" * 4999)
        [message] = audited(caplog)
        prefix = "management command (python) through 'manage': "
        assert (
            message
            == prefix + '"#' + "x" * 1998 + "... [3002 more characters not logged]"
        )

    def test_an_application_log_level_is_respected(
        self,
        audit_level: logging.Logger,
        caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # Lambda sets the variable with the function's application log level, and
        # its runtime the root logger's level from it.
        monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "WARN")
        python("pass")
        assert audited(caplog) == []
        assert audit_level.level == logging.NOTSET

    def test_a_level_set_on_the_audit_logger_is_kept(
        self, audit_level: logging.Logger, caplog: pytest.LogCaptureFixture
    ) -> None:
        audit_level.setLevel(logging.ERROR)
        python("pass")
        assert audited(caplog) == []

    def test_refused_and_malformed_commands_are_not_run_nor_audited(
        self, audit_level: logging.Logger, caplog: pytest.LogCaptureFixture
    ) -> None:
        python("pass", context=Invoked("live"))
        command("nosuchkind")
        assert audited(caplog) == []


class TestShell:
    def test_stdout_and_stderr_in_order_with_the_exit_status(self) -> None:
        assert shell("echo out; echo err >&2; exit 3") == {
            "exitCode": 3,
            "output": [["stdout", "out\n"], ["stderr", "err\n"]],
            "truncated": False,
        }

    def test_interleaved_output_keeps_its_order(self) -> None:
        script = (
            "for i in 1 2 3; do echo o$i; sleep 0.05; echo e$i >&2; sleep 0.05; done"
        )
        assert shell(script)["output"] == [
            [stream, f"{letter}{i}\n"]
            for i in (1, 2, 3)
            for stream, letter in (("stdout", "o"), ("stderr", "e"))
        ]

    @pytest.mark.parametrize(("signal_name", "status"), [("KILL", 137), ("TERM", 143)])
    def test_killed_by_a_signal_reports_128_plus_its_number(
        self, signal_name: str, status: int
    ) -> None:
        answer = shell(f"echo before; kill -{signal_name} $$; echo never")
        assert answer == {
            "exitCode": status,
            "output": [["stdout", "before\n"]],
            "truncated": False,
        }

    def test_stopped_before_the_function_times_out(self, tmp_path: Path) -> None:
        marker = tmp_path / "survived"
        answer = shell(
            f"echo before; (sleep 1.5; touch {marker}) & sleep 5; echo never",
            context=ShortContext(),
        )
        assert answer["exitCode"] == 124
        assert answer["output"][0] == ["stdout", "before\n"]
        [stream, message] = answer["output"][1]
        assert stream == "stderr"
        assert re.match(r"\ncdk-wsgi: stopped the command after 0\.\d s, ", message)
        assert message.endswith("as the function was about to time out\n")
        time.sleep(1.5)
        assert not marker.exists()  # the whole process group was stopped

    def test_no_time_left_stops_it_at_once(self) -> None:
        context = Invoked("manage", remaining_millis=200)
        answer = shell("echo started; sleep 5; echo never", context=context)
        assert answer["exitCode"] == 124
        assert "never" not in text_of(answer, "stdout")

    @pytest.mark.parametrize("context", [None, object()])
    def test_a_context_without_remaining_time_gives_lambda_s_longest(
        self, context: Any
    ) -> None:
        assert management._deadline(context, 100.0) == 100.0 + 899.0

        class ArnOnly:
            invoked_function_arn = Invoked("manage").invoked_function_arn

        event = {"source": "cdk-wsgi.command", "kind": "shell", "command": "echo ok"}
        answer = make_handler(exploding_app)(event, ArnOnly())
        assert answer["output"] == [["stdout", "ok\n"]]

    def test_background_jobs_holding_the_pipes_get_a_short_grace(
        self, tmp_path: Path
    ) -> None:
        # The answer comes while the job still runs: it was not waited for.
        marker = tmp_path / "finished"
        answer = shell(f"(sleep 5; touch {marker}) & echo started")
        assert answer == {
            "exitCode": 0,
            "output": [["stdout", "started\n"]],
            "truncated": False,
        }
        assert not marker.exists()

    def test_a_shell_running_on_after_closing_its_pipes_is_waited_for(self) -> None:
        answer = shell("echo bye; exec >&- 2>&-; sleep 0.3; exit 4")
        assert answer == {
            "exitCode": 4,
            "output": [["stdout", "bye\n"]],
            "truncated": False,
        }

    def test_runs_in_the_task_root_with_the_function_s_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
        monkeypatch.setenv("MY_SETTING", "from the function")
        answer = shell('pwd; echo "$MY_SETTING"; cat; echo "stdin closed"')
        assert answer["output"] == [
            ["stdout", f"{tmp_path}\nfrom the function\nstdin closed\n"]
        ]

    def test_runs_in_the_working_directory_outside_lambda(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
        monkeypatch.chdir(tmp_path)
        assert shell("pwd")["output"] == [["stdout", f"{tmp_path}\n"]]

    def test_output_is_decoded_as_utf8_with_replacement(self) -> None:
        answer = shell(r"printf 'caf\303\251 \377\n'; printf '\303' >&2")
        assert answer["output"] == [
            ["stdout", "caf\u00e9 \ufffd\n"],
            ["stderr", "\ufffd"],  # cut short at the end
        ]

    def test_a_missing_task_root_cannot_run(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path / "missing"))
        answer = shell("echo never")
        assert answer["exitCode"] == 127
        [[stream, message]] = answer["output"]
        assert stream == "stderr"
        assert message.startswith("cdk-wsgi: cannot run /bin/sh: [Errno 2]")

    def test_text_that_cannot_be_an_argument_cannot_run(self) -> None:
        answer = shell("echo \ud800")
        assert answer["exitCode"] == 127
        assert "cdk-wsgi: cannot run /bin/sh:" in text_of(answer, "stderr")


class TestManageInProcess:
    """Django's management through the settings apps.django_app configures in place
    (one Django per process: the project with a database runs in a fresh one below)."""

    @pytest.fixture
    def django_app(self) -> WSGIApplication:
        from apps import django_app

        app: WSGIApplication = django_app.app
        return app

    def test_check(self, django_app: WSGIApplication) -> None:
        answer = command("manage", args=["check"], app=django_app)
        assert answer == {
            "exitCode": 0,
            "output": [["stdout", "System check identified no issues (0 silenced).\n"]],
            "truncated": False,
        }

    def test_an_unknown_command_exits_1_with_django_s_message(
        self, django_app: WSGIApplication
    ) -> None:
        answer = command("manage", args=["nosuchcommand"], app=django_app)
        assert answer == {
            "exitCode": 1,
            "output": [
                [
                    "stderr",
                    "Unknown command: 'nosuchcommand'\nType 'manage.py help' for usage.\n",
                ]
            ],
            "truncated": False,
        }

    def test_a_command_error_gives_its_status(
        self, django_app: WSGIApplication
    ) -> None:
        answer = command("manage", args=["check", "--tag", "nosuch"], app=django_app)
        assert answer == {
            "exitCode": 1,
            "output": [
                [
                    "stderr",
                    'CommandError: There is no system check with the "nosuch" tag.\n',
                ]
            ],
            "truncated": False,
        }

    def test_django_is_set_up_again_only_if_init_did_not(
        self, django_app: WSGIApplication, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import django
        from django.apps import apps

        setups: list[bool] = []
        monkeypatch.setattr(
            django, "setup", lambda set_prefix=True: setups.append(True)
        )
        assert command("manage", args=["check"], app=django_app)["exitCode"] == 0
        assert setups == []  # set up at init: not again
        assert django.setup is not management._set_up_already  # and put back
        monkeypatch.setattr(apps, "ready", False)
        assert command("manage", args=["check"], app=django_app)["exitCode"] == 0
        assert setups == [True]

    def test_stopped_before_the_function_times_out(
        self, django_app: WSGIApplication
    ) -> None:
        code = "print('before'); import time; time.sleep(60)"
        answer = command(
            "manage",
            args=["shell", "--no-imports", "-c", code],
            app=django_app,
            context=ShortContext(),
        )
        assert_stopped(answer, [["stdout", "before\n"]])

    def test_an_uncaught_exception_gives_its_traceback(
        self, django_app: WSGIApplication
    ) -> None:
        answer = command("manage", args=["check", "nosuchapp"], app=django_app)
        assert answer["exitCode"] == 1
        stderr = text_of(answer, "stderr")
        assert stderr.startswith("Traceback (most recent call last):\n")
        assert "/django/core/management/__init__.py" in stderr
        assert stderr.endswith(
            "LookupError: No installed app with label 'nosuchapp'.\n"
        )


# The function's init and its invocations, as Lambda runs them: a fresh process per
# execution environment, the app named by CDK_WSGI_APP, one event per argument.
INVOKE = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(1, sys.argv[1])
    before = set(sys.modules)
    import cdk_wsgi_adapter

    class Context:  # invoked through the manage alias
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f:manage"

        def get_remaining_time_in_millis(self):
            return 120_000

    answers = [cdk_wsgi_adapter.handler(event, Context()) for event in json.load(sys.stdin)]
    json.dump({"answers": answers, "loaded": sorted(set(sys.modules) - before)}, sys.stdout)
    """
)


def invoke(
    events: list[dict[str, Any]], *, app: str, root: Path, **env: str
) -> dict[str, Any]:
    """Send `events` through `cdk_wsgi_adapter.handler` in a fresh process whose task
    root (working directory, first on sys.path) is `root`."""
    environ = {**env, "CDK_WSGI_APP": app, "LAMBDA_TASK_ROOT": str(root)}
    environ["PYTHONPATH"] = os.pathsep.join([str(root), str(TESTS)])
    proc = fresh_python(
        INVOKE, env=environ, input=json.dumps(events), cwd=root, timeout=120
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def manage(*args: str) -> dict[str, Any]:
    return {"source": "cdk-wsgi.command", "kind": "manage", "args": list(args)}


# Logs through the logger made after init, with a handler writing to this command's
# output, and says whether it and the adapter's logger are still on.
LATE_LOGGER = textwrap.dedent(
    """
    import logging, sys
    late = logging.getLogger("notes.late")
    handler = logging.StreamHandler(sys.stdout)
    late.addHandler(handler)
    try:
        late.info("still logging")
    finally:
        late.removeHandler(handler)
    print(late.disabled, logging.getLogger("cdk_wsgi_adapter").disabled)
    """
)


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    database = tmp_path_factory.mktemp("django") / "notes.sqlite3"
    events = [
        manage("check"),
        manage("migrate", "--noinput"),
        manage("addnote", "first"),
        manage("addnote", "second"),
        manage(
            "shell",
            "-c",
            "from notes.models import Note; "
            "print([n.text for n in Note.objects.order_by('id')])",
        ),
        {
            "source": "cdk-wsgi.command",
            "kind": "python",
            "code": "from notes.models import Note; print(Note.objects.count())",
        },
        make_rest_event(path="/notes"),
        manage("addnote", " "),
        manage("nosuchcommand"),
        {
            "source": "cdk-wsgi.command",
            "kind": "shell",
            "command": "ls notes/migrations | grep initial",
        },
        manage("showmigrations", "notes"),
        # 11-13: a logger made after init, a manage command, then that logger.
        {
            "source": "cdk-wsgi.command",
            "kind": "python",
            "code": "import logging; logging.getLogger('notes.late').setLevel('INFO')",
        },
        manage("check"),
        {
            "source": "cdk-wsgi.command",
            "kind": "python",
            "code": LATE_LOGGER,
        },
    ]
    result = invoke(
        events,
        app="djangoproject.wsgi:application",
        root=DJANGO_PROJECT,
        NOTES_DATABASE=str(database),
    )
    answers: list[Any] = result["answers"]
    return answers


class TestDjangoProject:
    """A project with an app, a model and its migration; SQLite in a temporary folder,
    as it would be under /tmp in Lambda."""

    def test_check(self, answers: list[Any]) -> None:
        assert answers[0] == {
            "exitCode": 0,
            "output": [["stdout", "System check identified no issues (0 silenced).\n"]],
            "truncated": False,
        }

    def test_migrate_applies_the_app_s_migration(self, answers: list[Any]) -> None:
        assert answers[1]["exitCode"] == 0
        assert answers[1]["output"] == [
            [
                "stdout",
                "Operations to perform:\n  Apply all migrations: notes\n"
                "Running migrations:\n  Applying notes.0001_initial... OK\n",
            ]
        ]
        assert answers[10]["output"] == [["stdout", "notes\n [X] 0001_initial\n"]]

    def test_commands_write_and_read_the_database(self, answers: list[Any]) -> None:
        assert answers[2]["output"] == [
            ["stdout", "added note 1\n"],
            ["stderr", "(to stderr)\n"],
        ]
        assert answers[3]["output"][0] == ["stdout", "added note 2\n"]
        shell_answer = answers[4]
        assert shell_answer["exitCode"] == 0
        assert text_of(shell_answer, "stdout").endswith("['first', 'second']\n")
        assert answers[5]["output"] == [["stdout", "2\n"]]

    def test_requests_see_what_commands_did(self, answers: list[Any]) -> None:
        assert answers[6]["statusCode"] == 200
        assert answers[6]["body"] == "first\nsecond"

    def test_a_command_error_exits_with_its_return_code(
        self, answers: list[Any]
    ) -> None:
        assert answers[7] == {
            "exitCode": 3,
            "output": [["stderr", "CommandError: a note needs some text\n"]],
            "truncated": False,
        }

    def test_an_unknown_command_exits_non_zero(self, answers: list[Any]) -> None:
        assert answers[8]["exitCode"] == 1
        assert text_of(answers[8], "stderr") == (
            "Unknown command: 'nosuchcommand'\nType 'manage.py help' for usage.\n"
        )

    def test_shell_commands_run_in_the_task_root(self, answers: list[Any]) -> None:
        assert answers[9]["output"] == [["stdout", "0001_initial.py\n"]]

    def test_manage_leaves_logging_as_init_configured_it(
        self, answers: list[Any]
    ) -> None:
        # Django's setup at init applied LOGGING; a second one in `manage` would
        # switch off every logger made since (disable_existing_loggers).
        assert [answer["exitCode"] for answer in answers[11:14]] == [0, 0, 0]
        assert answers[13]["output"] == [["stdout", "still logging\nFalse False\n"]]


class TestFlask:
    @pytest.fixture
    def app(self) -> Any:
        from apps.flask_cli_app import app

        return app

    def test_routes(self, app: Any) -> None:
        answer = command("flask", args=["routes"], app=app)
        assert answer["exitCode"] == 0
        assert [(name, text.split()[:3]) for name, text in answer["output"]] == [
            ("stdout", ["Endpoint", "Methods", "Rule"])
        ]
        lines = text_of(answer, "stdout").splitlines()
        assert [line.split()[0] for line in lines[2:]] == ["echo", "hello", "static"]

    @pytest.mark.parametrize("exit_code", [0, 5])
    def test_the_app_s_own_command_and_its_exit_code(
        self, app: Any, exit_code: int
    ) -> None:
        args = ["greet", "world", "--exit-code", str(exit_code)]
        assert command("flask", args=args, app=app) == {
            "exitCode": exit_code,
            "output": [["stdout", "hello world\n"], ["stderr", "complaint\n"]],
            "truncated": False,
        }

    def test_finds_the_flask_app_behind_its_wsgi_app_method(self, app: Any) -> None:
        answer = command("flask", args=["greet", "you"], app=app.wsgi_app)
        assert answer["output"][0] == ["stdout", "hello you\n"]

    def test_the_live_app_is_left_as_it_was(
        self, app: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("FLASK_DEBUG", "1")
        monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
        assert command("flask", args=["routes"], app=app)["exitCode"] == 0
        assert app.debug is False
        assert "FLASK_RUN_FROM_CLI" not in os.environ

    def test_an_unknown_command_is_a_usage_error(self, app: Any) -> None:
        answer = command("flask", args=["nosuchcommand"], app=app)
        assert answer["exitCode"] == 2
        assert "No such command 'nosuchcommand'" in text_of(answer, "stderr")

    def test_stopped_before_the_function_times_out(self, app: Any) -> None:
        answer = command("flask", args=["nap", "60"], app=app, context=ShortContext())
        assert_stopped(answer, [["stdout", "napping\n"]])

    def test_an_app_that_is_not_flask_is_a_usage_error(self) -> None:
        answer = command("flask", args=["routes"], app=Capture().app)
        assert answer["exitCode"] == 2
        assert "Error: the function's WSGI app is not a Flask app" in text_of(
            answer, "stderr"
        )


class TestSizeBound:
    """The answer stays under Lambda's 6 MB response limit, keeping the head and the
    tail of the output."""

    @staticmethod
    def check_bounded(answer: dict[str, Any], written: int) -> tuple[str, str]:
        """(head, tail) text, after checking the size and the cut's accounting."""
        assert answer["truncated"] is True
        assert len(json.dumps(answer)) < LAMBDA_RESPONSE_LIMIT
        # What runtimes from Python 3.12 send: UTF-8, not escaped.
        assert (
            len(json.dumps(answer, ensure_ascii=False).encode()) < LAMBDA_RESPONSE_LIMIT
        )
        assert len(json.dumps(answer)) > LAMBDA_RESPONSE_LIMIT - 256 * 1024
        notes = [
            i
            for i, (stream, text) in enumerate(answer["output"])
            if stream == "stderr" and text.startswith("\n[cdk-wsgi: ")
        ]
        [note] = notes
        message = answer["output"][note][1]
        assert message.endswith(
            " bytes of output cut here, to fit Lambda's 6 MB response limit]\n"
        )
        cut = int(message.split()[1])
        head = "".join(text for _, text in answer["output"][:note])
        tail = "".join(text for _, text in answer["output"][note + 1 :])
        kept = len(head.encode()) + len(tail.encode())
        assert kept + cut == written
        return head, tail

    def test_python_output_over_the_limit(self) -> None:
        line = "x" * 99 + "\n"
        answer = python(
            f"""
            print("FIRST LINE")
            for i in range(80_000):
                print({line[:-1]!r})
            import sys
            print("the end", file=sys.stderr)
            """
        )
        assert answer["exitCode"] == 0
        head, tail = self.check_bounded(answer, 11 + 80_000 * 100 + 8)
        assert head.startswith("FIRST LINE\nxxx")
        assert 1_000_000 < len(head) <= management.HEAD_LIMIT
        assert answer["output"][-1] == ["stderr", "the end\n"]
        assert tail.endswith(line + "the end\n")

    def test_shell_output_over_the_limit(self) -> None:
        answer = shell(
            "echo START; head -c 8000000 /dev/zero | tr '\\0' x; echo; echo END"
        )
        head, tail = self.check_bounded(answer, 6 + 8_000_000 + 1 + 4)
        assert head.startswith("START\nxxx")
        assert tail.endswith("xxx\nEND\n")
        assert answer["exitCode"] == 0

    @pytest.mark.parametrize(
        "character",
        ["\u00e9", "\U0001f600", '"', "\x01"],
        ids=["2-byte", "4-byte", "quote", "control"],
    )
    def test_escaped_output_is_measured_as_json(self, character: str) -> None:
        answer = python(
            f"print('START'); print({character!r} * 3_500_000); print('END')"
        )
        written = 6 + 3_500_000 * len(character.encode()) + 1 + 4
        head, tail = self.check_bounded(answer, written)
        assert head.startswith("START\n" + character)
        assert tail.endswith(character + "\nEND\n")

    def test_one_huge_write(self) -> None:
        answer = python("print('START' + 'y' * 9_000_000 + 'END')")
        head, tail = self.check_bounded(answer, 9_000_009)
        assert head.startswith("STARTyyy")
        assert tail.endswith("yyyEND\n")

    def test_many_tiny_writes_to_both_streams(self) -> None:
        answer = python(
            """
            import sys
            for i in range(200_000):
                sys.stdout.write("o")
                sys.stderr.write("e")
            """,
        )
        # 17 characters of JSON per chunk of one character: 400,000 chunks would be
        # 6.8 MB.
        head, tail = self.check_bounded(answer, 400_000)
        assert answer["output"][:2] == [["stdout", "o"], ["stderr", "e"]]
        assert answer["output"][-1] == ["stderr", "e"]


def written_pieces(
    writes: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    return [(stream, char) for stream, text in writes for char in text]


class TestOutput:
    """The bound in small: limits in JSON characters, chunks of 16 more."""

    def test_under_the_limits_everything_is_kept_and_joined(self) -> None:
        output = Output(head_limit=40, tail_limit=80)
        for stream, text in [
            ("stdout", "a"),
            ("stdout", ""),
            ("stdout", "b"),
            ("stderr", "c"),
            ("stdout", "d" * 30),
            ("stdout", "e"),
        ]:
            output.write(stream, text)
        assert output.chunks() == [
            ["stdout", "ab"],
            ["stderr", "c"],
            ["stdout", "d" * 30 + "e"],
        ]
        assert output.cut == 0

    def test_over_the_limits_the_middle_is_cut(self) -> None:
        output = Output(head_limit=20, tail_limit=40)
        output.write("stdout", "0123456789")
        output.write("stdout", "abcdefghijklmnopqrstuvwxyz")
        output.write("stderr", "ABCDEFGHIJ")
        # head: 16 + 4 characters; tail: trimmed to 30 of 40 (16 + 14), keeping the
        # stderr chunk and no stdout
        assert output.chunks() == [
            ["stdout", "0123"],
            [
                "stderr",
                "\n[cdk-wsgi: 32 bytes of output cut here, to fit Lambda's 6 MB "
                "response limit]\n",
            ],
            ["stderr", "ABCDEFGHIJ"],
        ]

    def test_a_partly_kept_piece_keeps_its_end(self) -> None:
        output = Output(head_limit=0, tail_limit=40)
        output.write("stdout", "x" * 50 + "0123456789")
        # Only its last 40 characters are measured; trimmed to 30 (16 + 14).
        assert output.chunks()[1:] == [["stdout", "xxxx0123456789"]]
        assert output.cut == 46

    def test_escaped_characters_count_as_their_json(self) -> None:
        output = Output(head_limit=16 + 12, tail_limit=48)
        output.write("stdout", "\u00e9\u00e9\u00e9")  # 6 JSON characters each
        output.write("stderr", "\n\t")  # 2 each
        # 12: over 48 in the tail, which is trimmed to 36 from its start
        output.write("stdout", "\U0001f600")
        assert output.chunks() == [
            ["stdout", "\u00e9\u00e9"],
            [
                "stderr",
                "\n[cdk-wsgi: 4 bytes of output cut here, to fit Lambda's 6 MB "
                "response limit]\n",
            ],
            ["stdout", "\U0001f600"],
        ]

    def test_a_flood_of_small_writes_is_kept_in_few_pieces(self) -> None:
        output = Output(head_limit=0)
        for _ in range(20_000):
            output.write("stdout", "line\n")
        # 120,000 characters of JSON ("line\\n" is 6) in pieces of 4,098
        assert len(output._tail) == 30
        assert output.chunks() == [["stdout", "line\n" * 20_000]]

    @given(
        st.integers(min_value=0, max_value=120),
        st.integers(min_value=1, max_value=200),
        st.lists(
            st.tuples(
                st.sampled_from(["stdout", "stderr"]),
                st.text(
                    st.characters(
                        codec="utf-8",
                        categories=["L", "N", "P", "Zs", "Cc", "So"],
                    ),
                    max_size=60,
                ),
            ),
            max_size=30,
        ),
    )
    def test_bounded_and_faithful(
        self, head_limit: int, tail_limit: int, writes: list[tuple[str, str]]
    ) -> None:
        output = Output(head_limit=head_limit, tail_limit=tail_limit)
        for stream, text in writes:
            output.write(stream, text)
        chunks = output.chunks()
        written = written_pieces(writes)
        parts = [chunks]
        if output.cut:
            note = next(i for i, c in enumerate(chunks) if c[1].startswith("\n[cdk"))
            parts = [chunks[:note], chunks[note + 1 :]]
            head = written_pieces([(s, t) for s, t in parts[0]])
            tail = written_pieces([(s, t) for s, t in parts[1]])
            assert written[: len(head)] == head
            assert written[len(written) - len(tail) :] == tail
            kept = "".join(t for _, t in head + tail)
            everything = "".join(t for _, t in written)
            assert len(kept.encode()) + output.cut == len(everything.encode())
            assert len(json.dumps(chunks[:note])) <= head_limit + 2
            assert len(json.dumps(chunks[note + 1 :])) <= tail_limit + 2
        else:
            assert written_pieces([(s, t) for s, t in chunks]) == written
            assert len(json.dumps(chunks)) <= head_limit + tail_limit + 2
        for part in parts:  # joined: no empty chunk, no two of a stream in a row
            assert all(text for _, text in part)
            assert all(a[0] != b[0] for a, b in pairwise(part))


class TestRefusedAndMalformed:
    def test_refused_when_turned_off(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        monkeypatch.setenv("CDK_WSGI_MANAGEMENT", "0")
        for event in (
            {"kind": "shell", "command": "echo never"},
            {"kind": "nosuchkind"},
        ):
            answer = make_handler(exploding_app)(
                {"source": "cdk-wsgi.command", **event}, ContextStub()
            )
            assert answer == {
                "exitCode": 126,
                "output": [
                    [
                        "stderr",
                        "management commands are turned off for this function "
                        "(managementCommands: false)\n",
                    ]
                ],
                "truncated": False,
            }
        assert "management command refused: CDK_WSGI_MANAGEMENT is 0" in caplog.text

    @pytest.mark.parametrize("value", ["1", "", "false", "00", " 0"])
    def test_any_other_value_leaves_them_on(
        self, monkeypatch: pytest.MonkeyPatch, value: str
    ) -> None:
        monkeypatch.setenv("CDK_WSGI_MANAGEMENT", value)
        assert python("print('on')")["output"] == [["stdout", "on\n"]]

    @pytest.mark.parametrize(
        ("event", "message"),
        [
            ({}, "kind must be one of python, shell, manage, flask; got None"),
            (
                {"kind": "bash", "command": "ls"},
                "kind must be one of python, shell, manage, flask; got 'bash'",
            ),
            (
                {"kind": ["shell"]},
                "kind must be one of python, shell, manage, flask; got ['shell']",
            ),
            ({"kind": "python"}, "python needs 'code', a string; got None"),
            (
                {"kind": "python", "command": "print(1)"},
                "python needs 'code', a string; got None",
            ),
            ({"kind": "shell", "command": 1}, "shell needs 'command', a string; got 1"),
            (
                {"kind": "shell", "command": "echo a\0b"},
                "shell needs 'command', a string without NUL characters; got 'echo a\\x00b'",
            ),
            (
                {"kind": "manage", "args": "migrate"},
                "manage needs 'args', a list of strings; got 'migrate'",
            ),
            (
                {"kind": "flask", "args": ["routes", 1]},
                "flask needs 'args', a list of strings; got ['routes', 1]",
            ),
            (
                {"kind": "python", "code": ["x" * 100]},
                "python needs 'code', a string; got ['" + "x" * 75 + "...",
            ),
        ],
    )
    def test_malformed_commands_exit_2_with_one_line(
        self, event: dict[str, Any], message: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        answer = make_handler(exploding_app)(
            {"source": "cdk-wsgi.command", **event}, Invoked("manage")
        )
        assert answer == {
            "exitCode": 2,
            "output": [["stderr", f"cdk-wsgi: error: {message}\n"]],
            "truncated": False,
        }
        assert f"malformed management command: {message}" in caplog.text

    def test_an_event_bridge_event_with_our_source_cannot_name_a_command(
        self,
    ) -> None:
        # EventBridge lets a sender choose `source`, never the envelope's other keys.
        event = load_event("powertools-lambda-python/eventBridgeEvent.json")
        event["source"] = "cdk-wsgi.command"
        event["detail"] = {"kind": "shell", "command": "echo never"}
        answer = make_handler(exploding_app)(event, Invoked("manage"))
        assert answer["exitCode"] == 2


MARKER = "pwned"


def poisoned(event: dict[str, Any], marker: Path, *, binary: bool) -> dict[str, Any]:
    """`event` with a command event in every field a client controls: path, headers,
    query, cookies and body."""
    event = copy.deepcopy(event)
    fields = {
        "source": "cdk-wsgi.command",
        "kind": "shell",
        "command": f"touch {marker}",
    }
    payload = json.dumps(fields)
    path = "/" + quote(payload, safe="")
    if event.get("version") == "2.0":
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["rawQueryString"] = urlencode(fields)
        event["queryStringParameters"] = fields
        event["cookies"] = [f"source={fields['source']}", f"command={quote(payload)}"]
    else:
        event["path"] = path
        if "queryStringParameters" in event:
            event["queryStringParameters"] = fields
        if "multiValueQueryStringParameters" in event:
            event["multiValueQueryStringParameters"] = {
                name: [value] for name, value in fields.items()
            }
    headers = {"source": fields["source"], "x-command": payload}
    for key in ("headers", "multiValueHeaders"):
        if isinstance(event.get(key), dict):
            for name, value in headers.items():
                event[key][name] = [value] if key == "multiValueHeaders" else value
    if binary:
        event["body"] = base64.b64encode(payload.encode()).decode()
    else:
        event["body"] = payload
    event["isBase64Encoded"] = binary
    return event


SAMPLES = [
    "powertools-lambda-python/apiGatewayProxyEvent.json",
    "aws-lambda-go/apigw-request.json",
    "powertools-lambda-python/apiGatewayProxyV2Event.json",
    "aws-lambda-go/apigw-v2-request-no-authorizer.json",
    "powertools-lambda-python/lambdaFunctionUrlEvent.json",
    "aws-lambda-go/lambda-urls-request.json",
    "powertools-lambda-python/albEvent.json",
    "powertools-lambda-python/albMultiValueHeadersEvent.json",
]

ECHO_APP = textwrap.dedent(
    """
    import json

    def app(environ, start_response):
        seen = {
            "path": environ["PATH_INFO"],
            "query": environ["QUERY_STRING"],
            "command_header": environ.get("HTTP_X_COMMAND", ""),
            "body": environ["wsgi.input"].read().decode(),
        }
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(seen).encode()]
    """
)


def http_events(marker: Path) -> list[dict[str, Any]]:
    events = [
        poisoned(load_event(sample), marker, binary=binary)
        for sample in SAMPLES
        for binary in (False, True)
    ]
    payload = json.dumps(
        {"source": "cdk-wsgi.command", "kind": "shell", "command": f"touch {marker}"}
    )
    for factory in (make_rest_event, make_alb_event):
        events.append(factory(method="POST", path="/source", body=payload))
    for v2_factory in (make_http_event, make_function_url_event):
        events.append(v2_factory(method="POST", raw_path="/source", body=payload))
    return events


class TestNoHttpRequestStartsACommand:
    def test_in_a_fresh_function_the_module_is_not_even_imported(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "echo_app.py").write_text(ECHO_APP)
        marker = tmp_path / MARKER
        events = http_events(marker)
        events.append({"source": "cdk-wsgi.warm-up", "concurrency": 1})
        result = invoke(events, app="echo_app:app", root=tmp_path)
        *responses, warm_up = result["answers"]
        assert warm_up == {"warmed": 1}
        for response in responses:
            assert response["statusCode"] == 200, response
            assert "cdk-wsgi.command" in json.loads(response["body"])["body"]
        assert "cdk_wsgi_adapter.management" not in result["loaded"]
        assert "cdk_wsgi_adapter.adapter" in result["loaded"]
        assert not marker.exists()

    def test_each_is_served_as_an_ordinary_request(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def explode(*args: Any) -> None:
            raise AssertionError("an HTTP event reached the management commands")

        monkeypatch.setattr(management, "answer_command", explode)
        marker = tmp_path / MARKER
        for event in http_events(marker):
            capture = Capture()
            response = make_handler(capture.app)(event, ContextStub())
            assert response["statusCode"] == 200
            assert b"cdk-wsgi.command" in capture.input
        assert not marker.exists()

    def test_the_same_payload_as_the_event_itself_runs(self, tmp_path: Path) -> None:
        # The control: sent by an IAM principal straight to the function, it runs.
        marker = tmp_path / MARKER
        assert shell(f"touch {marker}")["exitCode"] == 0
        assert marker.exists()
