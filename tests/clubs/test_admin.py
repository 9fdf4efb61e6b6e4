from __future__ import annotations

import pytest
from django.contrib import admin

from fortresa.clubs.models import (
    Closure,
    Club,
    Court,
    Invitation,
    Membership,
    MembershipType,
    OpeningHours,
)
from tests.factories import make_user, sign_in


@pytest.mark.parametrize(
    "model", [Club, Court, OpeningHours, Closure, MembershipType, Membership, Invitation]
)
def test_operator_console_lists_club_models(db, client, model) -> None:  # type: ignore[no-untyped-def]
    assert model in admin.site._registry
    operator = make_user(is_staff=True, is_superuser=True)
    sign_in(client, operator)
    opts = model._meta

    response = client.get(f"/ops/admin/{opts.app_label}/{opts.model_name}/")

    assert response.status_code == 200
