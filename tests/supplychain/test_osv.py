from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from fortresa.supplychain.osv import (
    AdvisoryDatabaseError,
    advisories_in_record,
    intervals_of,
    load_advisories,
)
from tests.supplychain.conftest import affected, write_record

pytestmark = pytest.mark.smoke


def _advisory(events: list[dict[str, str]], versions: list[str] | None = None):  # type: ignore[no-untyped-def]
    record = {"id": "T-1", "affected": [affected("pkg", events, versions)]}
    (advisory,) = advisories_in_record(record)
    return advisory


def test_unsorted_events_are_evaluated_in_version_order() -> None:
    advisory = _advisory(
        [{"introduced": "5.0"}, {"fixed": "5.0.8"}, {"introduced": "4.2"}, {"fixed": "4.2.15"}]
    )

    assert advisory.affected_range("4.2.14") == ">=4.2,<4.2.15"
    assert advisory.affected_range("5.0.7") == ">=5.0,<5.0.8"
    assert advisory.affected_range("4.2.15") is None
    assert advisory.affected_range("4.1.9") is None
    assert advisory.affected_range("5.1") is None


def test_fixed_version_and_later_are_not_affected() -> None:
    advisory = _advisory([{"introduced": "0"}, {"fixed": "2.0.0"}])

    assert advisory.affected_range("1.9.9rc1") == "<2.0.0"
    assert advisory.affected_range("2.0") is None
    assert advisory.affected_range("2.0.1") is None


def test_last_affected_is_inclusive() -> None:
    advisory = _advisory([{"introduced": "1.0"}, {"last_affected": "1.4"}])

    assert advisory.affected_range("1.4") == ">=1.0,<=1.4"
    assert advisory.affected_range("1.4.post1") is None


def test_introduced_without_end_affects_every_later_version() -> None:
    advisory = _advisory([{"introduced": "3.1"}])

    assert advisory.affected_range("99.0") == ">=3.1"
    assert advisory.affected_range("3.0.9") is None


def test_explicit_versions_list_affects_without_ranges() -> None:
    record = {
        "id": "T-2",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "pkg"}, "versions": ["1.0", "1.1"]}],
    }
    (advisory,) = advisories_in_record(record)

    assert advisory.affected_range("1.1.0") == "==1.1.0 (listed)"
    assert advisory.affected_range("1.2") is None


def test_prerelease_of_the_fixed_version_is_still_affected() -> None:
    intervals = intervals_of([{"introduced": "0"}, {"fixed": "1.0"}])

    assert Version("1.0rc2") in intervals[0]


def test_withdrawn_and_other_ecosystem_records_yield_nothing() -> None:
    withdrawn = {
        "id": "T-3",
        "withdrawn": "2024-01-01T00:00:00Z",
        "affected": [affected("pkg", [])],
    }
    npm = {
        "id": "T-4",
        "affected": [{"package": {"ecosystem": "npm", "name": "pkg"}, "versions": ["1.0"]}],
    }

    assert list(advisories_in_record(withdrawn)) == []
    assert list(advisories_in_record(npm)) == []


def test_fixed_versions_are_listed_in_version_order() -> None:
    advisory = _advisory(
        [{"introduced": "0"}, {"fixed": "3.2.20"}, {"introduced": "4.2"}, {"fixed": "4.2.3"}]
    )

    assert advisory.fixed == ("3.2.20", "4.2.3")


def test_load_reads_yaml_and_json_folders_of_the_audited_packages(osv_dir: Path) -> None:
    index = load_advisories(osv_dir, ["Django", "example-pkg", "requests"])

    assert [a.id for a in index.for_package("django")] == ["TEST-2024-1"]
    assert [a.id for a in index.for_package("Example_Pkg")] == ["TEST-2024-2"]
    assert index.for_package("requests") == []


def test_load_skips_folders_of_packages_not_audited(osv_dir: Path) -> None:
    index = load_advisories(osv_dir, ["requests"])

    assert index.records_read == 0


def test_load_reads_loose_records_at_the_top(tmp_path: Path) -> None:
    write_record(tmp_path, {"id": "T-5", "affected": [affected("pkg", [{"introduced": "0"}])]})

    index = load_advisories(tmp_path, ["pkg"])

    assert [a.id for a in index.for_package("pkg")] == ["T-5"]


def test_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AdvisoryDatabaseError, match="does not exist"):
        load_advisories(tmp_path / "nowhere", ["django"])


def test_directory_without_records_is_refused(tmp_path: Path) -> None:
    (tmp_path / "vulns").mkdir()
    (tmp_path / "README.md").write_text("not advisories")

    with pytest.raises(AdvisoryDatabaseError, match="holds no OSV records"):
        load_advisories(tmp_path, ["django"])


def test_unreadable_record_is_refused(tmp_path: Path) -> None:
    (tmp_path / "django").mkdir()
    (tmp_path / "django" / "BAD-1.yaml").write_text("id: [unclosed")

    with pytest.raises(AdvisoryDatabaseError, match="BAD-1.yaml"):
        load_advisories(tmp_path, ["django"])
