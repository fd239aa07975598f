"""What the Lambda context tells of how the function was invoked."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def invoked_qualifier(context: Any) -> str | None:
    """The alias or version the function was invoked through: the qualifier of
    context.invoked_function_arn, `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME`
    plus `:QUALIFIER` when the caller named one
    (https://docs.aws.amazon.com/lambda/latest/dg/python-context.html). None when
    unqualified, or without a context or an ARN of that shape."""
    arn = getattr(context, "invoked_function_arn", None)
    if not isinstance(arn, str):
        return None
    parts = arn.split(":")
    if len(parts) == 8 and parts[0] == "arn" and parts[5] == "function" and parts[7]:
        return parts[7]
    return None
