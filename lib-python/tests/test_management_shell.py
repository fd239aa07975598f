"""Shell commands: /bin/sh -c in the task root, output in order, stopped at the
deadline with their process group."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from commands import ShortContext, shell, text_of
from conftest import Invoked


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
