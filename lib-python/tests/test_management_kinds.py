"""The command kinds: malformed events refused, Django's manage.py and the Flask CLI
run with the function's app."""

from __future__ import annotations

import os
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

from cdk_wsgi_adapter import make_handler
from cdk_wsgi_adapter.management import kinds
from commands import ShortContext, assert_stopped, command, invoke, text_of
from conftest import TESTS, Capture, Invoked, exploding_app, load_event
from events import make_rest_event

if TYPE_CHECKING:
    from cdk_wsgi_adapter.compat import WSGIApplication

DJANGO_PROJECT = TESTS / "apps" / "djangoproject"


class TestMalformed:
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
        assert django.setup is not kinds._set_up_already  # and put back
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
