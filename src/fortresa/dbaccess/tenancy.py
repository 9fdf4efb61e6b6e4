"""The tenant context that row-level security reads: the club and user of a transaction.

``SET LOCAL`` (``set_config(..., true)``) lasts until the transaction ends, so a pooled
or persistent connection never carries one request's club into the next. Outside a
transaction it would last one statement only, so setting it there is refused.

SQLite has no row-level security: there these helpers only open the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponseBase

from fortresa.dbaccess.policy import CLUB_SETTING, USER_SETTING


class TenantContextError(RuntimeError):
    """The tenant context was set where it would not last (outside a transaction)."""


def _as_setting(value: int | None) -> str:
    return "" if value is None else str(int(value))


def set_tenant_context(
    *, club_id: int | None, user_id: int | None, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Scope the current transaction to ``club_id`` and ``user_id`` (None clears one)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if connection.get_autocommit():
        raise TenantContextError("set the tenant context inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [CLUB_SETTING, _as_setting(club_id), USER_SETTING, _as_setting(user_id)],
        )


def current_tenant_context(using: str = DEFAULT_DB_ALIAS) -> tuple[int | None, int | None]:
    """The (club_id, user_id) the current transaction is scoped to; (None, None) if unset."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return (None, None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting(%s, true), current_setting(%s, true)",
            [CLUB_SETTING, USER_SETTING],
        )
        club, user = cursor.fetchone()
    return (int(club) if club else None, int(user) if user else None)


@contextmanager
def tenant_scope(
    *, club_id: int | None, user_id: int | None = None, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Run the block in a transaction scoped to one club (and optionally one user).

    For background jobs and services working for one club under the application role.
    """
    with transaction.atomic(using=using):
        set_tenant_context(club_id=club_id, user_id=user_id, using=using)
        yield


class TenantContextMiddleware:
    """Scope each request's transaction to the signed-in user and the club in its URL.

    The request runs in one transaction (as with ``ATOMIC_REQUESTS``); the user is set
    first, and the club once the URL resolves to a view with a ``slug`` argument. Must
    come after ``AuthenticationMiddleware``.
    """

    club_kwarg = "slug"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with transaction.atomic():
            set_tenant_context(club_id=None, user_id=self._user_id(request))
            return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        slug = view_kwargs.get(self.club_kwarg)
        if not isinstance(slug, str):
            return
        # Clubs are public (the home page lists them); their table has no row security.
        from fortresa.clubs.models import Club

        club_id = Club.objects.filter(slug=slug).values_list("pk", flat=True).first()
        set_tenant_context(club_id=club_id, user_id=self._user_id(request))

    @staticmethod
    def _user_id(request: HttpRequest) -> int | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return int(user.pk)
