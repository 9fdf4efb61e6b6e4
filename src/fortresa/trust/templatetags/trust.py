"""``{% fact_value fact %}``: a fact's value as a reader wants to see it, in their language."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fortresa.trust.providers.base import Fact

register = template.Library()


def duration_text(seconds: int) -> str:
    """Whole days, hours or minutes when the figure is one, else seconds."""
    for size, one, many in (
        (86400, "%(count)d day", "%(count)d days"),
        (3600, "%(count)d hour", "%(count)d hours"),
        (60, "%(count)d minute", "%(count)d minutes"),
    ):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return ngettext(one, many, count) % {"count": count}
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}


@register.simple_tag
def fact_value(fact: Fact) -> str:
    if fact.display is not None:
        return str(fact.display)
    value = fact.value
    if value is None:
        return _("none yet")
    if isinstance(value, dt.datetime):
        return str(formats.date_format(timezone.localtime(value), "DATETIME_FORMAT"))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(value) if value else _("none")
    if fact.kind == "seconds" and isinstance(value, int):
        return duration_text(value)
    if fact.kind == "percent":
        return f"{value}%"
    return str(value)
