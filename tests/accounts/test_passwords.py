import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from fortresa.accounts.models import User
from fortresa.accounts.passwords import BreachedPasswordValidator


@pytest.mark.smoke
@pytest.mark.parametrize(
    "password",
    ["1qaz2wsx3edc", "Password2024!", "p@ssw0rd123456", "monkeymonkeymonkey", "aaaaaaaaaaaaaaa"],
)
def test_breached_passwords_and_their_decorated_forms_are_refused(password):
    with pytest.raises(ValidationError) as refused:
        BreachedPasswordValidator().validate(password)

    assert refused.value.error_list[0].code == "password_breached"


@pytest.mark.smoke
def test_an_unlisted_pass_phrase_is_accepted():
    BreachedPasswordValidator().validate("violet tram under a quiet bridge")


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pw 1", "too short"),
        ("Chantal Dupont 1984", "like the name"),
        ("123456789012345", "numeric"),
        ("baseball2023!!", "breached"),
    ],
)
def test_account_passwords_go_through_every_validator(password, reason):
    user = User(email="chantal.dupont@example.test", full_name="Chantal Dupont")

    with pytest.raises(ValidationError):
        password_validation.validate_password(password, user)


@pytest.mark.smoke
def test_the_hasher_is_argon2id_above_owasp_minimums():
    from fortresa.accounts.hashers import Argon2idPasswordHasher

    hasher = Argon2idPasswordHasher()
    encoded = hasher.encode("violet tram under a quiet bridge", hasher.salt())

    assert encoded.startswith("argon2$argon2id$")
    assert hasher.memory_cost >= 19456
    assert hasher.time_cost >= 2
