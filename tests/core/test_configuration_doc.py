"""Every environment variable the code reads is documented in docs/configuration.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke
REPO = Path(__file__).resolve().parents[2]
# Internal switches of the test suite, not operator configuration.
NOT_FOR_OPERATORS = {"FORTRESA_FAST_HASHER", "FORTRESA_TASKS_EAGER"}


# Names the code builds rather than spells out, each with where it is built.
BUILT_BY_PATTERN = [
    # dbaccess/config.py: one role, address list and password per database role.
    r"FORTRESA_DB_(OWNER|APP|WORKER|REPORTING|BACKUP)_(ROLE|CIDRS|PASSWORD)",
    # backups/config.py: the settings of repository N.
    r"FORTRESA_BACKUP_REPO[0-9]+_[A-Z0-9_]+",
    # settings.py: the retention period of each privacy category.
    r"FORTRESA_RETENTION_[A-Z_]+_DAYS",
]


def _variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "src" / "fortresa").rglob("*.py"):
        names.update(re.findall(r"[\"'](FORTRESA_[A-Z0-9_]+)[\"']", path.read_text()))
    # A secret's NAME_FILE form is documented in the row of NAME.
    names = {n for n in names if not (n.endswith("_FILE") and n.removesuffix("_FILE") in names)}
    return names - NOT_FOR_OPERATORS


def _built_by_pattern(name: str) -> bool:
    return any(re.fullmatch(pattern, name) for pattern in BUILT_BY_PATTERN)


def _documented() -> set[str]:
    text = (REPO / "docs" / "configuration.md").read_text()
    return set(re.findall(r"^\|\s*`(FORTRESA_[A-Z0-9_]+)`", text, flags=re.MULTILINE))


def test_every_variable_is_documented() -> None:
    missing = sorted(_variables_read_by_the_code() - _documented())
    assert not missing, f"document these in docs/configuration.md: {missing}"


def test_no_documented_variable_is_unknown_to_the_code() -> None:
    stale = sorted(
        name
        for name in _documented() - _variables_read_by_the_code()
        if not _built_by_pattern(name)
    )
    assert not stale, f"docs/configuration.md lists variables the code no longer reads: {stale}"


def test_readme_links_the_configuration_table() -> None:
    assert "docs/configuration.md" in (REPO / "README.md").read_text()
