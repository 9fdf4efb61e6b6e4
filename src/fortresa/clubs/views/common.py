from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest

from fortresa.accounts.middleware import SESSION_LANGUAGE_KEY
from fortresa.accounts.models import User
from fortresa.clubs.permissions import capabilities_of
from fortresa.clubs.selectors import ClubAccess


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise TypeError("the view must require a signed-in user")
    return user


def manage_context(access: ClubAccess, **extra: Any) -> dict[str, Any]:
    """What every administration template needs to draw its navigation."""
    return {
        "club": access.club,
        "membership": access.membership,
        "capabilities": capabilities_of(access.role),
        **extra,
    }


def sign_in_new_member(request: HttpRequest, user: User) -> None:
    """Sign in an account created a moment ago; ``login`` rotates the session key."""
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session[SESSION_LANGUAGE_KEY] = user.preferred_language
