"""Load-balancer endpoints: cheap, no personal data, no secrets, no session."""

from __future__ import annotations

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_READY_KEY = "fortresa:status:readyz"
# Once every migration was applied, this process's code cannot see an unapplied one again.
_migrations_seen_applied = False


def _database_ok() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _cache_ok() -> bool:
    try:
        cache.set(_READY_KEY, "1", timeout=30)
        return bool(cache.get(_READY_KEY) == "1")
    except Exception:  # any backend error (Redis down, disk full) means "not ready"
        return False


def _migrations_ok() -> bool:
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return True
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return False
    _migrations_seen_applied = not pending
    return _migrations_seen_applied


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers; nothing else is looked at."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: database answers, cache works, every migration applied."""
    database = _database_ok()
    checks = {
        "database": database,
        "cache": _cache_ok(),
        "migrations": database and _migrations_ok(),
    }
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ready" if ready else "not ready",
            "checks": {name: "ok" if ok else "failing" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )
