from __future__ import annotations

import pytest

from fortresa.detection.redaction import REDACTED, redact, redact_text


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("CREATE ROLE app LOGIN PASSWORD 'hunter2-long-secret'", "hunter2-long-secret"),
        ("ALTER ROLE app WITH ENCRYPTED PASSWORD 'it''s-secret'", "s-secret"),
        ("alter role app password $q$dollar-secret$q$", "dollar-secret"),
        (
            "postgresql://app:s3cr3t-pw@db.example:5432/fortresa",  # pragma: allowlist secret
            "s3cr3t-pw",
        ),  # pragma: allowlist secret
        ("host=db user=app password=conninfo-secret dbname=x", "conninfo-secret"),
        ("username=a@b.c&password=form-secret&next=/", "form-secret"),
        ('{"password": "json-secret", "x": 1}', "json-secret"),  # pragma: allowlist secret
        ("Authorization: Bearer abc.def-token", "abc.def-token"),
        ("hash SCRAM-SHA-256$4096:salt$stored:server", "4096:salt"),
    ],
)
def test_secrets_are_stripped_from_text(text: str, secret: str) -> None:
    assert secret not in redact_text(text)


@pytest.mark.smoke
def test_sensitive_keys_are_replaced_whole_and_other_values_kept() -> None:
    cleaned = redact({"password": "x", "otp_code": "123456", "field": "q", "nested": {"token": 1}})
    assert cleaned == {
        "password": REDACTED,
        "otp_code": REDACTED,
        "field": "q",
        "nested": {"token": REDACTED},
    }


def test_nul_characters_are_kept_visible_not_stored_raw() -> None:
    assert redact({"path": "/c/\x00/", "\x00key": ["a\x00b"]}) == {
        "path": "/c/\\x00/",
        "\\x00key": ["a\\x00b"],
    }
