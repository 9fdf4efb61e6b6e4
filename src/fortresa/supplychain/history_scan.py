"""Secret scan of the git history: every line a commit added, not only today's files.

A secret committed and removed later is still in the repository for anyone who clones
it. ``python -m fortresa.supplychain.history_scan`` runs detect-secrets (a development
dependency) over the patch of each commit in a range, with the plugins, filters and
accepted findings of the project's ``.secrets.baseline``. It exits 1 on any finding.
Under pre-commit's pre-push stage it scans the commits being pushed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class HistoryFinding:
    commit: str
    filename: str
    line_number: int
    kind: str
    secret_hash: str

    def __str__(self) -> str:
        return f"{self.commit[:12]} {self.filename}:{self.line_number}: {self.kind}"


def _git(repo: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {completed.stderr.strip()}")
    return completed.stdout


def commits_in(repo: Path, revision_range: str) -> list[str]:
    # Merge commits add nothing of their own that their parents' patches do not show.
    return _git(repo, "rev-list", "--no-merges", "--reverse", revision_range).split()


def _allowlisted_now(repo: Path) -> set[str]:
    """Hashes of the values that today's files mark ``pragma: allowlist secret``.

    Such a value was declared a deliberate test value, so its earlier appearances (before
    the pragma was added, or in a file since moved) are accepted too.
    """
    from detect_secrets.core.scan import scan_for_allowlisted_secrets_in_file

    hashes: set[str] = set()
    for name in _git(repo, "ls-files", "-z").split("\0"):
        path = repo / name
        # The pre-check also keeps empty files away from detect-secrets, which fails on them.
        if name and path.is_file() and b"allowlist secret" in path.read_bytes():
            hashes.update(s.secret_hash for s in scan_for_allowlisted_secrets_in_file(str(path)))
    return hashes


def scan_history(
    *, repo: Path, revision_range: str, baseline: Path, cache: Path | None = None
) -> list[HistoryFinding]:
    """Findings in the lines added by each commit of ``revision_range``.

    With ``cache``, commits found clean under the same baseline are remembered there and
    not scanned again (detect-secrets reads about a thousand lines a second).
    """
    from detect_secrets.core import baseline as secrets_baseline
    from detect_secrets.core.scan import scan_diff
    from detect_secrets.settings import get_filters, get_settings

    baseline_text = baseline.read_text(encoding="utf-8")
    accepted = secrets_baseline.load(secrets_baseline.load_from_file(str(baseline)), str(baseline))
    accepted_hashes = {secret.secret_hash for _, secret in accepted}
    # This filter drops findings in files absent from the working tree: in history, the
    # deleted files are precisely the ones to look at.
    get_settings().disable_filters("detect_secrets.filters.common.is_invalid_file")
    get_filters.cache_clear()
    cache_file = None
    clean: set[str] = set()
    if cache is not None:
        key = hashlib.sha256(baseline_text.encode()).hexdigest()[:16]
        cache_file = cache / f"clean-{key}.txt"
        if cache_file.is_file():
            clean = set(cache_file.read_text().split())
    findings = []
    for commit in commits_in(repo, revision_range):
        if commit in clean:
            continue
        patch = _git(
            repo, "show", "--format=", "--no-color", "--no-ext-diff", "--no-renames", commit
        )
        found = [
            HistoryFinding(
                commit, secret.filename, secret.line_number, secret.type, secret.secret_hash
            )
            for secret in (scan_diff(patch) if patch.strip() else ())
            if secret.secret_hash not in accepted_hashes
        ]
        if found:
            findings.extend(found)
        else:
            clean.add(commit)
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text("\n".join(sorted(clean)) + "\n")
    if findings:
        # Only now: this scan switches detect-secrets' allowlist filter off for the process.
        allowlisted = _allowlisted_now(repo)
        findings = [f for f in findings if f.secret_hash not in allowlisted]
    return findings


def default_range() -> str:
    # pre-commit's pre-push stage says which commits are about to leave.
    start, end = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    if start and end and set(start) != {"0"}:
        return f"{start}..{end}"
    return end or "HEAD"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--baseline", type=Path, default=Path(".secrets.baseline"))
    parser.add_argument("--repo", type=Path, default=Path())
    parser.add_argument("--cache", type=Path, help="folder remembering commits found clean")
    parser.add_argument(
        "range", nargs="?", default=None, help="git revision range (default: all of HEAD)"
    )
    args = parser.parse_args(argv)
    revision_range = args.range or default_range()
    findings = scan_history(
        repo=args.repo, revision_range=revision_range, baseline=args.baseline, cache=args.cache
    )
    for finding in findings:
        print(f"possible secret in history: {finding}", file=sys.stderr)
    count = len(commits_in(args.repo, revision_range))
    if findings:
        print(
            f"{len(findings)} possible secret(s) in {count} commits of {revision_range}. "
            "Rotate the secret, then rewrite the history or accept the finding in "
            ".secrets.baseline (detect-secrets audit).",
            file=sys.stderr,
        )
        return 1
    print(f"history secret scan: {count} commits of {revision_range} clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
