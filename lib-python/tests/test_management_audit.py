"""The record each management command leaves in the function's log before it runs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from commands import command, python, shell
from conftest import Capture, Invoked

if TYPE_CHECKING:
    from collections.abc import Iterator


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
