"""Who may run a management command: no one when they are turned off, else only
through the manage alias or a numbered version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cdk_wsgi_adapter import make_handler
from cdk_wsgi_adapter.invocation import invoked_qualifier
from commands import python, shell
from conftest import ContextStub, Invoked, exploding_app


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


class TestTurnedOff:
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
