from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fortresa.supplychain.history_scan import main, scan_history
from tests.supplychain.conftest import REPO

pytestmark = pytest.mark.smoke

# A made-up key in the shape of an AWS access key id: the AWSKeyDetector's pattern.
FAKE_KEY = "AKIA" + "ZQ3DT7EXAMPLE4RT"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def _commit(repo: Path, name: str, text: str, message: str) -> str:
    (repo / name).write_text(text)
    _git(repo, "add", name)
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-qm", message)
    return _git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    shutil.copy(REPO / ".secrets.baseline", root / ".secrets.baseline")
    _commit(root, "README.md", "hello\n", "start")
    return root


def test_secret_removed_from_the_tree_is_still_found_in_history(repo: Path) -> None:
    leaked = _commit(repo, "settings.py", f'AWS_ID = "{FAKE_KEY}"\n', "add key")
    _commit(repo, "settings.py", "AWS_ID = os.environ['AWS_ID']\n", "remove key")

    findings = scan_history(repo=repo, revision_range="HEAD", baseline=repo / ".secrets.baseline")

    assert [(f.commit, f.filename, f.line_number) for f in findings] == [(leaked, "settings.py", 1)]
    assert findings[0].kind == "AWS Access Key"


def test_value_allowlisted_in_the_current_tree_is_accepted_in_history(repo: Path) -> None:
    _commit(repo, "conftest.py", f'KEY = "{FAKE_KEY}"\n', "test key")
    _commit(repo, "conftest.py", f'KEY = "{FAKE_KEY}"  # pragma: allowlist secret\n', "mark it")

    findings = scan_history(repo=repo, revision_range="HEAD", baseline=repo / ".secrets.baseline")

    assert findings == []


def test_range_limits_the_scan_to_the_commits_of_a_change(repo: Path) -> None:
    _commit(repo, "old.py", f'KEY = "{FAKE_KEY}"\n', "old leak")
    base = _commit(repo, "old.py", "KEY = None\n", "old leak removed")
    _commit(repo, "new.py", "print('clean')\n", "the change")

    assert (
        scan_history(repo=repo, revision_range=f"{base}..HEAD", baseline=repo / ".secrets.baseline")
        == []
    )


def test_command_exits_1_on_history_finding_and_caches_clean_commits(
    repo: Path, tmp_path: Path
) -> None:
    _commit(repo, "leak.py", f'KEY = "{FAKE_KEY}"\n', "leak")
    cache = tmp_path / "cache"
    baseline = str(repo / ".secrets.baseline")

    status = main(["--repo", str(repo), "--baseline", baseline, "--cache", str(cache)])

    (cached,) = cache.iterdir()
    assert status == 1
    # Only the clean first commit is remembered; the leaking one is scanned every time.
    assert cached.read_text().split() == [_git(repo, "rev-parse", "HEAD~1").strip()]
