"""sslyze: the TLS configuration complies with Mozilla's "intermediate" profile."""

from __future__ import annotations

from pathlib import Path

from tests.external.graders import Target, run_sslyze


def test_tls_is_mozilla_intermediate_compliant(target: Target, tmp_path: Path) -> None:
    result = run_sslyze(target, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{target.host}:{target.https_port}: OK - Compliant." in result.stdout
    assert "Not vulnerable to Heartbleed" in result.stdout
