"""Page fragments every visitor shares, rendered once per process and language.

``{% shared_fragment signed_in=user.is_authenticated %}…{% endshared_fragment %}``
renders its content with a context holding only the values it is given (booleans,
numbers, strings or None) and keeps the result for those values, the active language,
the script prefix and the URLconf: a navigation bar's links and labels cost a
dictionary lookup instead of a ``reverse()`` and a catalogue lookup each. Nothing of the
request, the user or the session is visible inside, so nothing one visitor sees can
reach another's page; a variable that is not among the values renders empty, also in
the first rendering. The content must depend on nothing else that changes while the
process runs (no ``{% now %}``, no time zone).

``{% per_request %}…{% endper_request %}`` inside marks a hole rendered on every request
with the page's own context: a CSRF token, the current path.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Marks a hole in a shared rendering; no template text, translation or URL holds one.
_HOLE = "\x00"
# The isolated context's key for the holes met while rendering: no template can name it.
_HOLES = " shared fragment holes"
_SHARED_TYPES = (bool, int, str, type(None))
_MAX_RENDERINGS = 128  # per fragment; languages x values stay far below
_generation = 0


def _settings_changed(**_kwargs: Any) -> None:
    # Tests override LANGUAGES, ROOT_URLCONF and the like: never reuse a rendering
    # made under other settings.
    global _generation
    _generation += 1


setting_changed.connect(_settings_changed, dispatch_uid="fortresa-shared-fragments")


class PerRequestNode(Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        holes = context.get(_HOLES)
        if holes is None:  # not inside a shared rendering: an ordinary block
            return self.nodelist.render(context)
        holes.append(self)
        return f"{_HOLE}{len(holes) - 1}{_HOLE}"


# A shared rendering: its text pieces and, between them, the holes to fill per request.
_Rendering = tuple[tuple[str, ...], tuple[PerRequestNode, ...]]


class SharedFragmentNode(Node):
    def __init__(self, nodelist: NodeList, values: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.values = values
        self.renderings: dict[tuple[Any, ...], _Rendering] = {}

    def render(self, context: Context) -> SafeString:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        for name, value in values.items():
            if not isinstance(value, _SHARED_TYPES):
                raise TypeError(f"shared_fragment value {name!r} is a {type(value).__name__}")
        key = (
            _generation,
            translation.get_language(),
            get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF,
            context.autoescape,
            tuple(sorted(values.items())),
        )
        rendering = self.renderings.get(key)
        if rendering is None:
            rendering = self._render_shared(context, values)
            if len(self.renderings) >= _MAX_RENDERINGS:
                self.renderings.clear()
            self.renderings[key] = rendering
        texts, holes = rendering
        parts = [texts[0]]
        for hole, text in zip(holes, texts[1:], strict=True):
            parts.append(hole.nodelist.render(context))
            parts.append(text)
        return mark_safe("".join(parts))  # noqa: S308 - pieces rendered by the template engine

    def _render_shared(self, context: Context, values: dict[str, Any]) -> _Rendering:
        holes: list[PerRequestNode] = []
        isolated = Context(
            {**values, _HOLES: holes},
            autoescape=context.autoescape,
            use_l10n=context.use_l10n,
            use_tz=context.use_tz,
        )
        isolated.template = context.template
        pieces = self.nodelist.render(isolated).split(_HOLE)
        if len(pieces) != 2 * len(holes) + 1:
            raise ValueError("a shared fragment rendered a NUL character")
        for index, marker in enumerate(pieces[1::2]):
            if marker != str(index):
                raise ValueError("a shared fragment rendered a NUL character")
        return tuple(pieces[0::2]), tuple(holes)


@register.tag("shared_fragment")
def shared_fragment(parser: Parser, token: Token) -> SharedFragmentNode:
    values: dict[str, FilterExpression] = {}
    for bit in token.split_contents()[1:]:
        name, sep, expression = bit.partition("=")
        if not sep or not name.isidentifier():
            raise template.TemplateSyntaxError("shared_fragment takes name=value arguments only")
        values[name] = parser.compile_filter(expression)
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(SharedFragmentNode):
        raise template.TemplateSyntaxError("shared_fragment blocks do not nest")
    return SharedFragmentNode(nodelist, values)


@register.tag("per_request")
def per_request(parser: Parser, token: Token) -> PerRequestNode:
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("per_request takes no arguments")
    nodelist = parser.parse(("endper_request",))
    parser.delete_first_token()
    return PerRequestNode(nodelist)
