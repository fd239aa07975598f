"""SnapStart: the after-restore hook that re-seeds `random`, registered only when asked for."""

from __future__ import annotations

import json
import random
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import pytest
import snapshot_restore_py  # type: ignore[import-untyped]

import cdk_wsgi_adapter
from cdk_wsgi_adapter.snapstart import register_hooks, reseed
from conftest import fresh_python

if TYPE_CHECKING:
    from collections.abc import Iterator


# Imports the package as Lambda does, then plays the runtime restoring two environments
# from one snapshot: the same generator state, then the after-restore hooks.
SCRIPT = textwrap.dedent(
    """
    import json, logging, sys
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    if sys.argv[3] == "unimportable":
        sys.modules["snapshot_restore_py"] = None  # what a missing module raises
    before = set(sys.modules)
    import cdk_wsgi_adapter
    handler = cdk_wsgi_adapter.handler  # looked up at init, as Lambda's runtime does
    loaded = sorted(set(sys.modules) - before)
    print("IMPORTED", file=sys.stderr, flush=True)
    from events import make_http_event
    status = handler(make_http_event(), None)["statusCode"]
    hooks = []
    if "snapshot_restore_py" in loaded:
        from snapshot_restore_py import get_after_restore
        hooks = get_after_restore()
    for func, args, kwargs in hooks:
        func(*args, **kwargs)
    random_imported = "random" in sys.modules
    import random
    state = random.getstate()

    def restore(run_hooks):
        random.setstate(state)
        if run_hooks:
            for func, args, kwargs in hooks:
                func(*args, **kwargs)
        return random.random()

    print(json.dumps({
        "loaded": loaded,
        "status": status,
        "hooks": [[f"{f.__module__}.{f.__qualname__}", a, k] for f, a, k in hooks],
        "random_imported": random_imported,
        "with_hooks": [restore(True), restore(True)],
        "without_hooks": [restore(False), restore(False)],
    }))
    """
)


def init(mode: str = "", **env: str) -> tuple[dict[str, Any], str]:
    """Import the package in a fresh process; (what it printed, stderr up to the import)."""
    proc = fresh_python(SCRIPT, mode, env=env)
    return json.loads(proc.stdout), proc.stderr.partition("IMPORTED")[0]


@pytest.fixture
def after_restore() -> Iterator[list[Any]]:
    """The runtime's after-restore registry, as it was once the test is over."""
    hooks: list[Any] = snapshot_restore_py.get_after_restore()
    saved = hooks[:]
    yield hooks
    hooks[:] = saved


class TestAtInit:
    def test_importing_registers_the_hook_that_reseeds_random(self) -> None:
        printed, logged = init(CDK_WSGI_SNAP_START="1")
        assert printed["hooks"] == [["cdk_wsgi_adapter.snapstart.reseed", [], {}]]
        assert printed["status"] == 500  # no CDK_WSGI_APP: served, not crashed
        assert logged == ""
        # Two environments restored from one snapshot draw different numbers...
        first, second = printed["with_hooks"]
        assert first != second
        # ...where without the hook they would draw the same.
        assert printed["without_hooks"][0] == printed["without_hooks"][1]
        # Neither the import nor the hook imports random.
        assert printed["random_imported"] is False

    @pytest.mark.parametrize("env", [{}, {"CDK_WSGI_SNAP_START": "0"}])
    def test_not_asked_for_imports_nothing(self, env: dict[str, str]) -> None:
        printed, logged = init(**env)
        assert printed["hooks"] == []
        assert not {
            "snapshot_restore_py",
            "typing",
            "cdk_wsgi_adapter.snapstart",
        } & {*printed["loaded"]}
        assert logged == ""

    def test_unimportable_hooks_warn_and_init_completes(self) -> None:
        printed, logged = init("unimportable", CDK_WSGI_SNAP_START="1")
        assert printed["status"] == 500
        assert printed["hooks"] == []
        assert logged == (
            "WARNING CDK_WSGI_SNAP_START is set but the SnapStart runtime hooks "
            "(snapshot_restore_py) cannot be imported: random is not re-seeded after "
            "a restore\n"
        )


class TestInProcess:
    """The same paths in this process, where coverage is measured."""

    def test_init_registers_only_when_asked(self, after_restore: list[Any]) -> None:
        count = len(after_restore)
        cdk_wsgi_adapter._init({"CDK_WSGI_SNAP_START": "true"})
        assert len(after_restore) == count
        cdk_wsgi_adapter._init({"CDK_WSGI_SNAP_START": "1"})
        assert after_restore[count:] == [(reseed, (), {})]

    def test_register_hooks(self, after_restore: list[Any]) -> None:
        count = len(after_restore)
        assert register_hooks() is True
        assert after_restore[count:] == [(reseed, (), {})]

    def test_register_hooks_without_the_library(
        self,
        after_restore: list[Any],
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        count = len(after_restore)
        monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)
        assert register_hooks() is False
        assert len(after_restore) == count
        [record] = caplog.records
        assert (record.name, record.levelname) == ("cdk_wsgi_adapter", "WARNING")
        assert "SnapStart runtime hooks (snapshot_restore_py)" in record.getMessage()

    def test_reseed_draws_a_new_seed(self) -> None:
        state = random.getstate()
        try:
            random.setstate(state)
            reseed()
            first = random.random()
            random.setstate(state)
            reseed()
            second = random.random()
            random.setstate(state)
            unseeded = random.random()
            random.setstate(state)
            assert random.random() == unseeded
        finally:
            random.setstate(state)
        assert first != second

    def test_reseed_leaves_random_unimported(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delitem(sys.modules, "random")
        reseed()
        assert "random" not in sys.modules
