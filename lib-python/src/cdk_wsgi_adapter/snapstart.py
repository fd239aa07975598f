"""SnapStart: re-seeding what environments restored from one snapshot would share.

Lambda resumes every environment of a SnapStart version from the same snapshot of
one init phase, so a generator seeded during init yields the same numbers in each
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html). Imported
only when the construct sets CDK_WSGI_SNAP_START.
"""

from __future__ import annotations

import sys

from .config import SNAP_START_VARIABLE
from .log import logger


def register_hooks() -> bool:
    """Have the runtime call reseed() after each restore; False, with a warning, when
    its hook library is missing (outside Lambda, for one)."""
    try:
        # The runtime hook library of the Python managed runtimes (snapshot-restore-py
        # on PyPI), which runs after-restore hooks in the order registered:
        # https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html
        from snapshot_restore_py import (  # type: ignore[import-untyped]
            register_after_restore,
        )
    except ImportError:
        logger().warning(
            "%s is set but the SnapStart runtime hooks (snapshot_restore_py) cannot "
            "be imported: random is not re-seeded after a restore",
            SNAP_START_VARIABLE,
        )
        return False
    register_after_restore(reseed)
    return True


def reseed() -> None:
    """Re-seed the `random` module's global generator from os.urandom, if imported."""
    random = sys.modules.get("random")  # never imported here: it costs cold start
    if random is not None:
        random.seed()
