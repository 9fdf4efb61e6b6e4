"""Shared fragments: rendered once per language and values, blind to the request, with
holes filled from each render's own context."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext

from tests.reversals import record_reversals


def _render(source: str, **context: object) -> str:
    return Template("{% load i18n fragments %}" + source).render(Context(context))


def test_fragment_sees_only_the_values_it_is_given():
    source = "{% shared_fragment shown=shown %}[{{ secret }}|{{ shown }}]{% endshared_fragment %}"

    html = _render(source, secret="another member's name", shown="yes")

    assert html == "[|yes]"


def test_hole_is_filled_from_each_renders_own_context():
    template = Template(
        "{% load fragments %}{% shared_fragment %}<{% per_request %}{{ token }}"
        "{% endper_request %}>{% endshared_fragment %}"
    )

    first = template.render(Context({"token": "first-visitor"}))
    second = template.render(Context({"token": "second<visitor>"}))

    assert first == "<first-visitor>"
    assert second == "<second&lt;visitor&gt;>"


def test_fragment_is_rendered_once_for_the_same_language_and_values(monkeypatch):
    reversed_names = record_reversals(monkeypatch)
    template = Template(
        "{% load fragments %}{% shared_fragment in=signed_in %}{% url 'home' %}"
        "{% endshared_fragment %}"
    )

    pages = [template.render(Context({"signed_in": True})) for _ in range(3)]
    template.render(Context({"signed_in": False}))

    assert pages == ["/", "/", "/"]
    assert reversed_names == ["home", "home"]  # once per value, not once per render


def test_fragment_is_rendered_in_each_language():
    template = Template(
        '{% load i18n fragments %}{% shared_fragment %}{% translate "Sign in" %}'
        "{% endshared_fragment %}"
    )
    with translation.override("fr"):
        french_label = gettext("Sign in")

    with translation.override("en"):
        english = template.render(Context())
    with translation.override("fr"):
        french = template.render(Context())

    assert english == "Sign in"
    assert french == french_label != "Sign in"


def test_fragment_refuses_a_value_that_is_not_a_plain_one():
    source = "{% shared_fragment who=who %}{{ who }}{% endshared_fragment %}"

    with pytest.raises(TypeError):
        _render(source, who=object())


def _csrf_values(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


@pytest.mark.django_db
def test_page_shell_follows_each_visitor_and_path(client, club, member_client):
    anonymous = client.get("/accounts/login/").content.decode()
    week = member_client.get(f"/c/{club.slug}/week/").content.decode()
    day = member_client.get(f"/c/{club.slug}/day/").content.decode()
    anonymous_again = client.get("/accounts/login/").content.decode()

    assert "/accounts/logout/" in week
    assert "/accounts/logout/" not in anonymous_again
    assert f'name="next" value="/c/{club.slug}/week/"' in week
    assert f'name="next" value="/c/{club.slug}/day/"' in day
    assert 'name="next" value="/accounts/login/"' in anonymous_again
    # Each page's forms carry that request's own token, the login form's included.
    assert len(_csrf_values(anonymous_again)) == 1
    assert len(_csrf_values(week)) == 1
    assert _csrf_values(anonymous) != _csrf_values(anonymous_again)
