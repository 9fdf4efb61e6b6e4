"""Browser tests: Playwright drives Debian's Chromium against a real ``fortresa run``.

The fixtures (``demo_server``, ``browser``, ``page``) live in ``tests/browser.py``. Every
test under tests/e2e is marked ``e2e`` and put in one xdist group, so a single pytest
worker owns the session's server and browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, DemoServer

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "DEMO_PASSWORD", "DemoServer"]
_E2E_DIR = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))
