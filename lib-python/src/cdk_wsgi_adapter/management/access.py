"""Who may run a management command: no one when the construct turned them off
(managementCommands: false), else whoever may invoke the function's manage alias or a
numbered version."""

from __future__ import annotations

import os

from ..config import MANAGE_ALIAS_NAME, MANAGEMENT_VARIABLE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

OFF_MESSAGE = (
    "management commands are turned off for this function (managementCommands: false)\n"
)


def turned_off() -> bool:
    """Whether the construct turned management commands off."""
    return os.environ.get(MANAGEMENT_VARIABLE) == "0"


def accepts(qualifier: str | None) -> bool:
    """Whether a command invoked through `qualifier` may run: the manage alias, or a
    numbered version (deploy tasks run in a new version before any alias points to
    it). Not `live`, `$LATEST`, the unqualified function or any other alias."""
    return qualifier == MANAGE_ALIAS_NAME or (
        qualifier is not None and qualifier.isascii() and qualifier.isdigit()
    )


def describe(context: Any, qualifier: str | None) -> str:
    """How a refused command came, for its answer and the log."""
    if qualifier is not None:
        return repr(qualifier)
    if isinstance(getattr(context, "invoked_function_arn", None), str):
        return "the unqualified function"
    return "no invoked function ARN"


def refusal(via: str) -> str:
    """The answer's stderr for a command that came through `via`: what to invoke."""
    alias = MANAGE_ALIAS_NAME
    return (
        f"cdk-wsgi: management commands run only through the function's '{alias}' "
        f"alias or a numbered version, and this one came through {via}; invoke the "
        f"'{alias}' alias, which api.grantManage() grants (the cdk-wsgi CLI does)\n"
    )
