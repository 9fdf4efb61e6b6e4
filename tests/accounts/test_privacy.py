from django.test import Client

from fortresa.accounts.models import SecurityEvent
from fortresa.accounts.selectors import contact_details_visible, security_events_since
from fortresa.accounts.services import record_personal_data_access
from tests.factories import make_membership, make_user


def test_a_member_sees_when_staff_viewed_their_data(db, club, member, member_client):
    staff = make_membership(club, role="staff").user

    record_personal_data_access(
        subject=member, actor=staff, club_id=club.pk, ip_address="192.0.2.1", what="profile"
    )
    page = member_client.get("/accounts/privacy/").content.decode()

    assert staff.full_name in page
    assert "profile" in page


def test_a_member_does_not_see_accesses_to_someone_else(db, club, member, member_client):
    other = make_membership(club).user
    staff = make_membership(club, role="staff").user

    record_personal_data_access(
        subject=other, actor=staff, club_id=club.pk, ip_address=None, what="phone"
    )

    assert staff.full_name not in member_client.get("/accounts/privacy/").content.decode()


def test_contact_details_are_hidden_unless_the_member_agreed(db):
    viewer, shy, open_ = make_user(), make_user(), make_user(share_contact_details=True)

    assert contact_details_visible(viewer, shy) is False
    assert contact_details_visible(viewer, open_) is True
    assert contact_details_visible(shy, shy) is True


def test_members_choose_to_share_contact_details_on_their_profile(db, member, member_client):
    member_client.post(
        "/accounts/profile/",
        {
            "full_name": member.full_name,
            "phone": "+33 1 23 45 67 89",
            "preferred_language": "en",
            "share_contact_details": "on",
        },
    )

    member.refresh_from_db()
    assert member.share_contact_details is True


def test_detection_reads_security_events_in_order_from_a_cursor(db):
    user = make_user()
    Client().post(
        "/accounts/login/",
        {"username": user.email, "password": "wrong password 12"},  # pragma: allowlist secret
    )  # pragma: allowlist secret
    Client().post(
        "/accounts/login/",
        {"username": user.email, "password": "wrong password 34"},  # pragma: allowlist secret
    )  # pragma: allowlist secret

    first = list(security_events_since(0))
    after = list(security_events_since(first[0].pk))

    assert [e.kind for e in first] == [SecurityEvent.Kind.LOGIN_FAILED] * 2
    assert after == first[1:]
