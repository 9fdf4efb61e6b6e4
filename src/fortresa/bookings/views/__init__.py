"""Booking pages: grids, booking, my bookings, calendar feed, rules administration."""

from __future__ import annotations

from django.http import HttpRequest

from fortresa.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, for views already behind ``login_required``."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("login_required must guard this view")
    return user
