"""Every script and stylesheet carries Subresource Integrity matching the served bytes."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

import fortresa

pytestmark = pytest.mark.smoke

PACKAGE = Path(fortresa.__file__).parent
TAG = re.compile(r"<(script|link)\b[^>]*>", re.IGNORECASE | re.DOTALL)


def _needs_integrity(tag: str) -> bool:
    if tag.lower().startswith("<script"):
        return re.search(r"\ssrc\s*=", tag, re.IGNORECASE) is not None
    return re.search(r"""rel\s*=\s*["']?stylesheet""", tag, re.IGNORECASE) is not None


def test_every_script_and_stylesheet_tag_in_templates_has_integrity() -> None:
    missing = []
    for template in sorted(PACKAGE.rglob("templates/**/*.html")):
        for match in TAG.finditer(template.read_text(encoding="utf-8")):
            tag = match.group(0)
            if _needs_integrity(tag) and "integrity=" not in tag:
                missing.append(f"{template.relative_to(PACKAGE)}: {tag}")
    assert not missing, (
        "add integrity=\"{% integrity 'path' %}\" ({% load sri %}) to:\n" + "\n".join(missing)
    )


@pytest.mark.django_db
def test_rendered_stylesheet_integrity_matches_the_file() -> None:
    html = Client().get("/accounts/login/", secure=True).content.decode()
    match = re.search(r'<link rel="stylesheet" href="([^"]+)" integrity="([^"]+)"', html)
    assert match is not None
    source = finders.find("fortresa/site.css")
    assert isinstance(source, str)
    digest = base64.b64encode(hashlib.sha384(Path(source).read_bytes()).digest()).decode()
    assert match.group(2) == f"sha384-{digest}"
    served = Client().get(match.group(1), secure=True)
    served_bytes = b"".join(served.streaming_content)  # type: ignore[attr-defined]
    assert base64.b64encode(hashlib.sha384(served_bytes).digest()).decode() == digest
