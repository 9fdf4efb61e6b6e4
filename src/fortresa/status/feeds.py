"""Atom feed of incidents and planned maintenance, newest change first."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from fortresa.status.models import Incident
from fortresa.status.selectors import feed_incidents


class IncidentFeed(Feed[Incident, None]):
    feed_type = Atom1Feed
    title = _("Fortresa service status")
    subtitle = _("Incidents and planned maintenance")

    def link(self) -> str:
        return reverse("status:page")

    def items(self) -> list[Incident]:
        return feed_incidents()

    def item_title(self, item: Incident) -> str:
        return f"{item.display_title} ({item.status_label})"

    def item_description(self, item: Incident) -> str:
        return render_to_string("status/feed_item.html", {"incident": item})

    def item_link(self, item: Incident) -> str:
        return reverse("status:incident", args=[item.pk])

    def item_pubdate(self, item: Incident) -> datetime:
        return item.started_at

    def item_updateddate(self, item: Incident) -> datetime:
        return item.updated_at
