"""Passkeys (WebAuthn): registration and assertion ceremonies, with the ``webauthn`` library.

The relying party is the host the browser reached (Django has already checked it
against ``ALLOWED_HOSTS``); challenges live in the server-side session and are used once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from fortresa.accounts.models import Passkey, SecurityEvent, User
from fortresa.accounts.services import notify_security_change

RP_NAME = "Fortresa"
_REGISTRATION = "_fortresa_passkey_registration"
_ASSERTION = "_fortresa_passkey_assertion"


class PasskeyError(Exception):
    """The browser's answer did not prove what it had to; nothing was changed."""


@dataclass(frozen=True)
class RelyingParty:
    rp_id: str
    origin: str

    @classmethod
    def of(cls, request: HttpRequest) -> RelyingParty:
        host = request.get_host()
        scheme = "https" if request.is_secure() else "http"
        return cls(
            rp_id=host.rsplit(":", 1)[0] if not host.endswith("]") else host,
            origin=f"{scheme}://{host}",
        )


def user_handle(user: User) -> bytes:
    """An opaque, stable id for the authenticator: no email or database id in it."""
    return salted_hmac("fortresa.accounts.passkey-user", str(user.pk), algorithm="sha256").digest()


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=bytes(key.credential_id),
            transports=[
                AuthenticatorTransport(t)
                for t in key.transports
                if t in AuthenticatorTransport._value2member_map_
            ],
        )
        for key in Passkey.objects.filter(user=user)
    ]


def registration_options(request: HttpRequest, user: User) -> str:
    rp = RelyingParty.of(request)
    options = generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=RP_NAME,
        user_name=user.email,
        user_id=user_handle(user),
        user_display_name=user.full_name or user.email,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    request.session[_REGISTRATION] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def _challenge(request: HttpRequest, name: str) -> bytes:
    value = request.session.pop(name, None)
    if not isinstance(value, str):
        raise PasskeyError("no ceremony in progress")
    return base64url_to_bytes(value)


def _credential(raw: str) -> dict[str, object]:
    if len(raw) > 20000:
        raise PasskeyError("answer too large")
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise PasskeyError("malformed answer") from None
    if not isinstance(parsed, dict):
        raise PasskeyError("malformed answer")
    return parsed


def register_passkey(
    request: HttpRequest, user: User, *, name: str, credential: str, ip_address: str | None
) -> Passkey:
    rp = RelyingParty.of(request)
    challenge = _challenge(request, _REGISTRATION)
    parsed = _credential(credential)
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError(str(exc)) from None
    response = parsed.get("response")
    transports = response.get("transports", []) if isinstance(response, dict) else []
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=verified.credential_id).exists():
            raise PasskeyError("this passkey is already registered")
        passkey = Passkey.objects.create(
            user=user,
            name=(name.strip() or RP_NAME)[:60],
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[str(t) for t in transports if isinstance(t, str)][:8],
        )
        notify_security_change(
            user=user,
            kind=SecurityEvent.Kind.PASSKEY_ADDED,
            actor=user,
            ip_address=ip_address,
            details={"passkey": passkey.pk},
        )
    return passkey


def authentication_options(request: HttpRequest, user: User | None) -> str:
    """Options for an assertion: ``user``'s passkeys as a second factor, or any
    discoverable passkey for passwordless sign-in when ``user`` is None."""
    rp = RelyingParty.of(request)
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        allow_credentials=_descriptors(user) if user is not None else [],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    request.session[_ASSERTION] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def authenticate_passkey(request: HttpRequest, *, credential: str, user: User | None) -> User:
    """Check an assertion; returns the passkey's owner (who must be ``user`` if given)."""
    rp = RelyingParty.of(request)
    challenge = _challenge(request, _ASSERTION)
    parsed = _credential(credential)
    raw_id = parsed.get("rawId") or parsed.get("id")
    if not isinstance(raw_id, str) or len(raw_id) > 1400:
        raise PasskeyError("malformed credential id")
    try:
        credential_id = base64url_to_bytes(raw_id)
    except ValueError:
        raise PasskeyError("malformed credential id") from None
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update()
            .select_related("user")
            .filter(credential_id=credential_id, user__is_active=True)
            .first()
        )
        if passkey is None or (user is not None and passkey.user_id != user.pk):
            raise PasskeyError("unknown passkey")
        try:
            verified = verify_authentication_response(
                credential=parsed,
                expected_challenge=challenge,
                expected_rp_id=rp.rp_id,
                expected_origin=rp.origin,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
            raise PasskeyError(str(exc)) from None
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey.user


def remove_passkey(*, user: User, passkey_id: int, ip_address: str | None) -> bool:
    with transaction.atomic():
        deleted, _ = Passkey.objects.filter(user=user, pk=passkey_id).delete()
        if deleted:
            notify_security_change(
                user=user,
                kind=SecurityEvent.Kind.PASSKEY_REMOVED,
                actor=user,
                ip_address=ip_address,
                details={"passkey": passkey_id},
            )
    return bool(deleted)
