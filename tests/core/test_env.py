from __future__ import annotations

import stat
from pathlib import Path

import pytest

from fortresa.core.env import ConfigError, Env

pytestmark = pytest.mark.smoke


def test_secret_is_read_from_the_environment() -> None:
    env = Env({"FORTRESA_X": "a-long-enough-secret-value"})
    assert env.secret("FORTRESA_X") == "a-long-enough-secret-value"


def test_secret_is_read_from_a_file_named_by_name_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "x"
    secret_file.write_text("from-a-file-0123456789\n")
    env = Env({"FORTRESA_X_FILE": str(secret_file)})
    assert env.secret("FORTRESA_X") == "from-a-file-0123456789"


def test_unreadable_secret_file_names_the_variable(tmp_path: Path) -> None:
    env = Env({"FORTRESA_X_FILE": str(tmp_path / "missing")})
    with pytest.raises(ConfigError, match="FORTRESA_X_FILE"):
        env.secret("FORTRESA_X")


def test_missing_secret_fails_loudly_without_a_secrets_dir() -> None:
    with pytest.raises(ConfigError, match="FORTRESA_X is a required secret"):
        Env({}).secret("FORTRESA_X")


def test_placeholder_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="placeholder"):
        Env({"FORTRESA_X": "changeme"}).secret("FORTRESA_X")


def test_generated_secret_is_private_and_stable(tmp_path: Path) -> None:
    env = Env({}, secrets_dir=tmp_path / "secrets", generate_secrets=True)
    first = env.secret("FORTRESA_X")
    second = Env({}, secrets_dir=tmp_path / "secrets").secret("FORTRESA_X")
    mode = stat.S_IMODE((tmp_path / "secrets" / "fortresa_x").stat().st_mode)
    assert first == second
    assert len(first) >= 48
    assert mode == 0o600


def test_secrets_dir_without_generation_does_not_invent_a_secret(tmp_path: Path) -> None:
    env = Env({}, secrets_dir=tmp_path, generate_secrets=False)
    with pytest.raises(ConfigError):
        env.secret("FORTRESA_X")
    assert not (tmp_path / "fortresa_x").exists()


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("0", False), ("Yes", True), ("off", False)]
)
def test_flag_reads_booleans(raw: str, expected: bool) -> None:
    assert Env({"F": raw}).flag("F", not expected) is expected


def test_flag_rejects_garbage_with_the_name() -> None:
    with pytest.raises(ConfigError, match="F must be a boolean"):
        Env({"F": "maybe"}).flag("F", False)


def test_integer_enforces_its_minimum() -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        Env({"PORT": "0"}).integer("PORT", 8443, minimum=1)


def test_integer_rejects_text() -> None:
    with pytest.raises(ConfigError, match="must be an integer"):
        Env({"PORT": "eighty"}).integer("PORT", 8443)


def test_items_splits_and_trims() -> None:
    assert Env({"L": " a, b ,,c "}).items("L") == ["a", "b", "c"]


def test_choice_rejects_unknown_values() -> None:
    with pytest.raises(ConfigError, match="one of"):
        Env({"P": "staging"}).choice("P", ("embedded", "production"), "embedded")
