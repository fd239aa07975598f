"""Commands run in the function's process: streams captured in order, exit statuses
and tracebacks as Python's, state restored, stopped at the deadline."""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

import pytest

from cdk_wsgi_adapter.sources.base import LAMBDA_RESPONSE_LIMIT
from commands import STOPPED, ShortContext, assert_stopped, python, text_of
from conftest import Invoked


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
        assert "cdk_wsgi_adapter" not in stderr  # the adapter's frames are left out

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
