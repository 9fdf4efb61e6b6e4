"""MDN HTTP Observatory: A+ with 140 (the most a host without HSTS preload can get) on
the login page and a club's booking grid.

The status page is graded too once it exists (``/status/``); it is skipped while the
route answers 404.
"""

from __future__ import annotations

import pytest

from tests.external.graders import Target, run_observatory

PAGES = ["/accounts/login/", "/c/demo/day/", "/status/", "/security/"]


@pytest.mark.parametrize("path", PAGES)
def test_page_scores_a_plus_140(target: Target, path: str) -> None:
    result = run_observatory(target, path)
    if path == "/status/" and result["status"] == 404:
        pytest.skip("/status/ does not exist yet")
    failed = {
        name: test["result"]
        for name, test in result["tests"].items()  # type: ignore[attr-defined]
        if not test["pass"] or test["modifier"] < 0
    }
    assert result["grade"] == "A+", failed
    assert int(result["score"]) >= 140, failed  # type: ignore[call-overload]
    assert result["verified"] is True
