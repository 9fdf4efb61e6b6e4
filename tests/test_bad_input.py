"""Bad input of every kind gets a clear answer, never a 500, and changes nothing.

The test crawls the site as each kind of user, from the pages a person would start on,
collects every same-site link and every form, and then:
- fetches every URL again with each path segment and query value replaced by malformed,
  oversized and wrongly typed values;
- submits every form with malformed, oversized and wrongly typed values in every field,
  and with bodies that are not forms at all;
and checks that no answer is a server error and that no stored row changed.
Forms without any field a person fills in (a lone "Cancel booking" button) are actions,
not input: their URLs are covered by the path mutations instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.clubs.models import Club, Invitation, Role
from tests.factories import make_club, make_membership, make_user, sign_in

# Values no field accepts: oversized (past every field's limit) or holding a NUL. A form
# given these must refuse them and change nothing.
INVALID_VALUES = ["x" * 100_000, "ok\x00nul"]
# Values of the wrong type or shape. Free-text fields may legitimately accept them (a name
# may read "<script>"), so they are only required never to cause a server error.
WRONG_VALUES = [
    "not-a-number-<script>alert(1)</script>'\"; DROP TABLE bookings_booking; --",
    "-99999999999999999999",
    "２０２６-０１-０１",
    "%0d%0aSet-Cookie:x=1",
]
BAD_SEGMENTS = ["-1", "9" * 40, "x" * 300, "%00", "..%2f..%2fetc", "'%20OR%201=1"]
SKIPPED_PREFIXES = ("/ops/admin/", "/static/")
# Tables whose rows legitimately change on any request: sessions, and the records of
# what was attempted (bad input is evidence: it must be counted, not lost).
VOLATILE_TABLES = {
    "django_session",
    "accounts_usersession",
    "accounts_securityevent",
    "accounts_loginthrottle",
    "core_auditevent",
}
# Apps whose whole job is to record attacks (alerts, observations, CSP reports).
OBSERVING_APPS = {"detection"}


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    user_fields: set[str] = field(default_factory=set)
    toggles: set[str] = field(default_factory=set)


class PageParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.links: set[str] = set()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "a" and attrs.get("href"):
            self.links.add(urljoin(self.base, attrs["href"]))
        elif tag == "form":
            self._form = Form(
                action=urljoin(self.base, attrs.get("action") or self.base),
                method=(attrs.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "textarea", "select"}:
            name = attrs.get("name")
            if not name:
                return
            kind = attrs.get("type", "text" if tag != "select" else "select")
            self._form.fields.setdefault(name, []).append(attrs.get("value", ""))
            if kind in {"checkbox", "radio"}:
                # Any value means "ticked": not a field that bad text can fail.
                self._form.toggles.add(name)
            elif kind not in {"hidden", "submit", "button"} and name != "csrfmiddlewaretoken":
                self._form.user_fields.add(name)
            if tag == "select":
                self._select = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _same_site_path(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"", "http", "https"} or parts.netloc not in {"", "testserver"}:
        return None
    path = urlunsplit(("", "", parts.path, parts.query, ""))
    if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
        return None
    return path


def crawl(client: Client, start: list[str], limit: int = 200) -> tuple[set[str], list[Form]]:
    seen: set[str] = set()
    forms: dict[tuple[str, str, frozenset[str]], Form] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=False)
        assert response.status_code < 500, f"GET {url} -> {response.status_code}"
        if response.status_code in {301, 302}:
            target = _same_site_path(response["Location"])
            if target:
                queue.append(target)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser("http://testserver" + url)
        parser.feed(response.content.decode())
        for link in parser.links:
            target = _same_site_path(link)
            if target and target not in seen:
                queue.append(target)
        for form in parser.forms:
            action = _same_site_path(form.action)
            if action is None:
                continue
            form.action = action
            forms.setdefault((action, form.method, frozenset(form.fields)), form)
    return seen, list(forms.values())


def snapshot() -> dict[str, str]:
    """A digest per table of every stored row of the project's data."""
    digests: dict[str, str] = {}
    for model in apps.get_models():
        table = model._meta.db_table
        if table in VOLATILE_TABLES or model._meta.app_label in OBSERVING_APPS:
            continue
        digest = hashlib.sha256()
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
        digests[table] = digest.hexdigest()
    return digests


def one_url_per_view(urls: set[str]) -> list[str]:
    """Keep one URL for each view (and set of query names): mutating twice adds nothing."""
    chosen: dict[tuple[str, frozenset[str]], str] = {}
    for url in sorted(urls):
        parts = urlsplit(url)
        try:
            view = resolve(parts.path).view_name
        except Resolver404:
            continue
        names = frozenset(name for name, _ in parse_qsl(parts.query))
        chosen.setdefault((view, names), url)
    return list(chosen.values())


def mutated_urls(url: str) -> Iterator[str]:
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if not segment:
            continue
        for bad in BAD_SEGMENTS:
            path = "/".join([*segments[:index], bad, *segments[index + 1 :]])
            yield urlunsplit(("", "", path, parts.query, ""))
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [name for name, _ in query] or ["date", "court", "start", "q", "next", "page"]
    for name in names:
        for bad in [WRONG_VALUES[0], WRONG_VALUES[2], *INVALID_VALUES]:
            rest = [(k, v) for k, v in query if k != name]
            yield urlunsplit(("", "", parts.path, urlencode([*rest, (name, bad)]), ""))


def bodies(form: Form, csrf: str, values: list[str]) -> Iterator[dict[str, Any]]:
    for bad in values:
        data: dict[str, Any] = dict(form.fields)
        for name in form.user_fields:
            data[name] = bad
        data["csrfmiddlewaretoken"] = csrf
        yield data


def odd_bodies(form: Form, csrf: str) -> Iterator[dict[str, Any]]:
    """Every field given twice, once wrong; and every field a person fills in missing."""
    doubled = {name: [*values, WRONG_VALUES[0]] for name, values in form.fields.items()}
    doubled["csrfmiddlewaretoken"] = csrf
    yield doubled
    yield {name: v for name, v in form.fields.items() if name not in form.user_fields}


@pytest.fixture
def site(db: None) -> dict[str, Any]:
    club = make_club(slug="fuzz-club", courts=3, open_signup=True)
    other = make_club(slug="other-club", courts=1)
    users: dict[str, User] = {}
    for role in (Role.ADMIN, Role.STAFF, Role.COACH, Role.MEMBER):
        users[role] = make_membership(club, role=role).user
    make_membership(club)  # a partner to choose
    make_membership(other, role=Role.ADMIN)
    users["outsider"] = make_user()
    users["operator"] = make_user(is_staff=True, is_superuser=True)
    token = "fuzz-invitation-token-0123456789abcdef"
    Invitation.objects.create(
        club=club,
        email="invited@example.test",
        role=Role.MEMBER,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(days=3),
    )
    return {"club": club, "users": users, "token": token}


def _client_for(user: User | None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        sign_in(client, user)
    return client


def _start_urls(club: Club, token: str) -> list[str]:
    return [
        "/",
        f"/c/{club.slug}/",
        f"/c/{club.slug}/manage/",
        "/bookings/mine/",
        "/calendar/",
        "/accounts/profile/",
        "/accounts/login/",
        f"/c/{club.slug}/join/",
        f"/invite/{token}/",
    ]


def _post(client: Client, form: Form, body: Any, failures: list[str], **extra: Any) -> None:
    status = client.post(form.action, body, **extra).status_code
    if status >= 500:
        failures.append(f"POST {form.action} {sorted(form.user_fields)} {extra} -> {status}")


# Most privileged first: the first role to find a page or form is the one that reaches
# its real validation, so each is exercised once, by that role.
ROLES = ["operator", "admin", "staff", "member", "anonymous"]


def _crawl_as_every_role(site: dict[str, Any]) -> list[tuple[Client, list[str], list[Form]]]:
    seen_views: set[tuple[str, frozenset[str]]] = set()
    seen_forms: set[tuple[str, frozenset[str]]] = set()
    plan: list[tuple[Client, list[str], list[Form]]] = []
    for who in ROLES:
        client = _client_for(None if who == "anonymous" else site["users"][who])
        urls, forms = crawl(client, _start_urls(site["club"], site["token"]))
        assert len(urls) > 3, f"the crawl as {who} found almost nothing"
        new_urls = []
        for url in one_url_per_view(urls):
            key = _view_key(url)
            if key not in seen_views:
                seen_views.add(key)
                new_urls.append(url)
        new_forms = []
        for form in forms:
            key = (_view_key(form.action)[0], frozenset(form.user_fields))
            if form.method == "post" and form.user_fields and key not in seen_forms:
                seen_forms.add(key)
                new_forms.append(form)
        plan.append((client, new_urls, new_forms))
    return plan


def _view_key(url: str) -> tuple[str, frozenset[str]]:
    parts = urlsplit(url)
    try:
        view = resolve(parts.path).view_name
    except Resolver404:
        view = parts.path
    return view, frozenset(name for name, _ in parse_qsl(parts.query))


def _post(client: Client, form: Form, body: Any, failures: list[str], **extra: Any) -> None:
    status = client.post(form.action, body, **extra).status_code
    if status >= 500:
        failures.append(f"POST {form.action} {sorted(form.user_fields)} {extra} -> {status}")


def test_malformed_urls_never_cause_a_server_error(site: dict[str, Any]) -> None:
    failures: list[str] = []
    for client, urls, _forms in _crawl_as_every_role(site):
        for url in urls:
            for bad_url in mutated_urls(url):
                status = client.get(bad_url).status_code
                if status >= 500:
                    failures.append(f"GET {bad_url[:120]} -> {status}")
    assert not failures, "\n".join(failures[:40])


def test_bad_form_input_causes_no_server_error_and_invalid_input_changes_nothing(
    site: dict[str, Any],
) -> None:
    plan = _crawl_as_every_role(site)
    assert sum(len(forms) for _client, _urls, forms in plan) > 5, "too few forms found"
    failures: list[str] = []

    # Wrong types and shapes, malformed bodies: never a server error.
    for client, _urls, forms in plan:
        token = getattr(client.cookies.get("__Host-csrftoken"), "value", "")
        for form in forms:
            for body in [*bodies(form, token, WRONG_VALUES), *odd_bodies(form, token)]:
                _post(client, form, body, failures)
            _post(client, form, b'{"x": [1, 2', failures, content_type="application/json")
            _post(client, form, b"\xff\xfe\x00", failures, content_type="text/plain")

    # Values no field accepts: refused, and nothing stored changes.
    before = snapshot()
    for client, _urls, forms in plan:
        token = getattr(client.cookies.get("__Host-csrftoken"), "value", "")
        for form in forms:
            for body in bodies(form, token, INVALID_VALUES):
                _post(client, form, body, failures)
    after = snapshot()

    assert not failures, "\n".join(failures[:40])
    changed = sorted(table for table in before if after.get(table) != before[table])
    assert not changed, f"invalid input changed stored data in {changed}"
