"""The command kinds (config.COMMAND_KINDS): reading one from the command event, and
running it, in a shell or in this process as `python -c`, `manage.py` or `flask`."""

from __future__ import annotations

import sys
import types

from ..config import COMMAND_FIELDS, COMMAND_KINDS
from .in_process import run_in_process
from .shell import run_shell

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ..compat import Json, WSGIApplication
    from .output import Output


def parse(event: Json) -> tuple[str, Any, str]:
    """(kind, its command, '') for a well-formed command event, else ('', None,
    the problem)."""
    kind = event.get("kind")
    if not (isinstance(kind, str) and kind in COMMAND_KINDS):
        expected = ", ".join(COMMAND_KINDS)
        return "", None, f"kind must be one of {expected}; got {_short(kind)}"
    field = COMMAND_FIELDS[kind]
    value = event.get(field)
    if field == "args":
        if isinstance(value, list) and all(isinstance(arg, str) for arg in value):
            return kind, value, ""
        expected = "a list of strings"
    elif not isinstance(value, str):
        expected = "a string"
    elif kind == "shell" and "\0" in value:  # no process takes it as an argument
        expected = "a string without NUL characters"
    else:
        return kind, value, ""
    return "", None, f"{kind} needs {field!r}, {expected}; got {_short(value)}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def run_command(
    kind: str, command: Any, app: WSGIApplication, output: Output, deadline: float
) -> int:
    """Run `command`, as parse() read it, writing to `output` and stopped at
    `deadline` (time.monotonic()); its exit status."""
    if kind == "shell":
        return run_shell(command, deadline, output)
    argv, target = _IN_PROCESS[kind](command, app)
    return run_in_process(argv, target, output, deadline)


def _python(code: str, app: WSGIApplication) -> tuple[list[str], Callable[[], None]]:
    def run() -> None:
        # A fresh __main__, as `python -c` runs in: pickle, dataclasses and typing
        # find what the code defines.
        main = types.ModuleType("__main__")
        saved = sys.modules["__main__"]
        sys.modules["__main__"] = main
        try:
            # dont_inherit: this module's `from __future__` imports stay here.
            exec(compile(code, "<string>", "exec", dont_inherit=True), main.__dict__)
        finally:
            sys.modules["__main__"] = saved

    return ["-c"], run


def _manage(
    args: list[str], app: WSGIApplication
) -> tuple[list[str], Callable[[], None]]:
    def run() -> None:
        # The app's WSGI module set DJANGO_SETTINGS_MODULE and set Django up at init.
        import django
        from django.apps import apps
        from django.core.management import execute_from_command_line

        if not apps.ready:  # not set up at init: as manage.py would, from scratch
            execute_from_command_line(["manage.py", *args])
            return
        # ManagementUtility.execute() calls django.setup() again, which re-applies
        # LOGGING: with disable_existing_loggers at its default, every logger made
        # since init (this adapter's among them) would be off for the environment's
        # life. Set up already, the command runs as call_command() runs one.
        setup = django.setup
        django.setup = _set_up_already
        try:
            execute_from_command_line(["manage.py", *args])
        finally:
            django.setup = setup

    return ["manage.py", *args], run


def _set_up_already(set_prefix: bool = True) -> None:
    """django.setup() in a process whose Django was set up at init."""


def _flask(
    args: list[str], app: WSGIApplication
) -> tuple[list[str], Callable[[], None]]:
    def run() -> None:
        from flask import Flask
        from flask.cli import FlaskGroup, NoAppException

        def create_app() -> Flask:
            # CDK_WSGI_APP may name the app or its bound method `app.wsgi_app`.
            for candidate in (app, getattr(app, "__self__", None)):
                if isinstance(candidate, Flask):
                    return candidate
            raise NoAppException(f"the function's WSGI app is not a Flask app: {app!r}")

        # No .env loading and no FLASK_DEBUG: the live app serves requests too.
        cli = FlaskGroup(create_app=create_app, load_dotenv=False, set_debug_flag=False)
        cli.main(args, prog_name="flask")

    return ["flask", *args], run


#: The kinds run in this process: kind -> (its argv, the call running it).
_IN_PROCESS: dict[
    str, Callable[[Any, WSGIApplication], tuple[list[str], Callable[[], None]]]
] = {"python": _python, "manage": _manage, "flask": _flask}
