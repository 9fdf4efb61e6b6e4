"""Watching URL reversal in tests."""

from __future__ import annotations

from typing import Any

import django.urls
import pytest


def record_reversals(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The view names reversed from now on (``{% url %}`` calls ``django.urls.reverse``)."""
    reversed_names: list[str] = []
    reverse = django.urls.reverse

    def recording(viewname: Any, *args: Any, **kwargs: Any) -> str:
        reversed_names.append(viewname)
        return reverse(viewname, *args, **kwargs)

    monkeypatch.setattr(django.urls, "reverse", recording)
    return reversed_names
