"""Second factors: TOTP (RFC 6238) with single-use hashed recovery codes.

The TOTP secret is stored encrypted with a key derived from ``SECRET_KEY``; a code is
accepted once (its time step is remembered), so a code seen over a shoulder or in a
log cannot be replayed within its 30 seconds.
"""

from __future__ import annotations

import base64
import io
import secrets
import time

import pyotp
import qrcode
import qrcode.image.svg
from cryptography.fernet import Fernet, InvalidToken
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from fortresa.accounts.models import Passkey, RecoveryCode, SecurityEvent, TotpDevice, User
from fortresa.accounts.services import notify_security_change

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # pragma: allowlist secret
TOTP_STEP = 30
ISSUER = "Fortresa"


def _fernet() -> Fernet:
    key = salted_hmac("fortresa.accounts.totp-secret", "fernet", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The provisioning URI as an SVG QR code in a data URI (allowed by the CSP's img-src)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())[:8]


def _matching_step(secret: str, code: str, after_step: int) -> int | None:
    code = _normalise_code(code)
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // TOTP_STEP
    # One step either side tolerates clock drift between phone and server.
    for step in (now_step - 1, now_step, now_step + 1):
        if step > after_step and constant_time_compare(totp.generate_otp(step), code):
            return step
    return None


def has_second_factor(user: User) -> bool:
    return (
        TotpDevice.objects.filter(user=user).exists() or Passkey.objects.filter(user=user).exists()
    )


def has_totp(user: User) -> bool:
    return TotpDevice.objects.filter(user=user).exists()


def _hash_recovery_code(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch in _RECOVERY_ALPHABET)
    return salted_hmac(
        "fortresa.accounts.recovery-code", normalised, algorithm="sha256"
    ).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def replace_recovery_codes(*, user: User, actor: User, ip_address: str | None) -> list[str]:
    """Issue fresh recovery codes (shown once) and void the old ones."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=_hash_recovery_code(code)) for code in codes
        )
        notify_security_change(
            user=user,
            kind=SecurityEvent.Kind.RECOVERY_CODES_GENERATED,
            actor=actor,
            ip_address=ip_address,
        )
    return codes


def enable_totp(*, user: User, secret: str, code: str, ip_address: str | None) -> list[str] | None:
    """Confirm enrolment with a first code; returns the recovery codes, or None if the
    code is wrong (nothing is stored then)."""
    step = _matching_step(secret, code, after_step=0)
    if step is None:
        return None
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        TotpDevice.objects.create(
            user=user,
            encrypted_secret=_fernet().encrypt(secret.encode()).decode(),
            last_used_step=step,
        )
        notify_security_change(
            user=user,
            kind=SecurityEvent.Kind.TWO_FACTOR_ENABLED,
            actor=user,
            ip_address=ip_address,
            details={"method": "totp"},
        )
        return replace_recovery_codes(user=user, actor=user, ip_address=ip_address)


def verify_second_factor(*, user: User, code: str, ip_address: str | None) -> bool:
    """Accept a current TOTP code (once) or an unused recovery code (once)."""
    if len(code) > 40:
        return False
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is not None:
            try:
                secret = _fernet().decrypt(device.encrypted_secret.encode()).decode()
            except InvalidToken:
                secret = ""
            step = (
                _matching_step(secret, code, after_step=device.last_used_step) if secret else None
            )
            if step is not None:
                device.last_used_step = step
                device.save(update_fields=["last_used_step"])
                return True
        used = RecoveryCode.objects.filter(
            user=user, code_hash=_hash_recovery_code(code), used_at__isnull=True
        ).update(used_at=timezone.now())
    if used:
        notify_security_change(
            user=user,
            kind=SecurityEvent.Kind.RECOVERY_CODE_USED,
            actor=user,
            ip_address=ip_address,
            details={"left": unused_recovery_codes(user)},
        )
        return True
    return False


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def disable_totp(*, user: User, actor: User, ip_address: str | None) -> None:
    """Remove the authenticator app and the recovery codes (the caller checked a fresh
    sign-in and, for privileged users, that another factor remains)."""
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        if not Passkey.objects.filter(user=user).exists():
            RecoveryCode.objects.filter(user=user).delete()
        notify_security_change(
            user=user,
            kind=SecurityEvent.Kind.TWO_FACTOR_DISABLED,
            actor=actor,
            ip_address=ip_address,
            details={"method": "totp"},
        )
