from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import call_command


@pytest.mark.smoke
def test_classify_writes_one_json_line_per_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.StringIO("O'Brien\n1 AND 1234=1234-- x\n<script>x</script>\n")
    )
    out = io.StringIO()
    call_command("detect", "classify", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["verdict"] for line in lines] == ["clean", "sqli", "xss"]
    assert lines[1]["rule"] == "sqli.boolean_comparison"


@pytest.mark.django_db
def test_watch_once_without_log_reads_account_events() -> None:
    out = io.StringIO()
    call_command("detect", "watch", "--once", "--pglog", "", stdout=out)
    assert json.loads(out.getvalue()) == {"log_records": 0, "account_events": 0}
