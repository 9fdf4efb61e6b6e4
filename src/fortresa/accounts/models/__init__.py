from fortresa.accounts.models.factors import Passkey, RecoveryCode, TotpDevice
from fortresa.accounts.models.security import SecurityEvent, ThrottleHit, ThrottleState
from fortresa.accounts.models.sessions import UserSession
from fortresa.accounts.models.user import User, UserManager

__all__ = [
    "Passkey",
    "RecoveryCode",
    "SecurityEvent",
    "ThrottleHit",
    "ThrottleState",
    "TotpDevice",
    "User",
    "UserManager",
    "UserSession",
]
