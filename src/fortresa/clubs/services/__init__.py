"""State changes of clubs: every one runs in a transaction, security-relevant ones audited.

The functions live in small modules by subject and are re-exported here, so callers
write ``from fortresa.clubs.services import invite_member``.
"""

from fortresa.clubs.services.club_settings import (
    create_membership_type,
    delete_membership_type,
    update_club_settings,
    update_membership_type,
)
from fortresa.clubs.services.facilities import (
    copy_opening_hours,
    create_closure,
    create_court,
    delete_closure,
    delete_court,
    replace_opening_hours,
    update_court,
)
from fortresa.clubs.services.invitations import (
    INVITATION_VALIDITY,
    accept_invitation,
    accept_invitation_with_new_account,
    invite_member,
    revoke_invitation,
)
from fortresa.clubs.services.membership import (
    assign_membership_type,
    change_member_role,
    join_club,
    remove_member,
    sign_up_and_join,
)

__all__ = [
    "INVITATION_VALIDITY",
    "accept_invitation",
    "accept_invitation_with_new_account",
    "assign_membership_type",
    "change_member_role",
    "copy_opening_hours",
    "create_closure",
    "create_court",
    "create_membership_type",
    "delete_closure",
    "delete_court",
    "delete_membership_type",
    "invite_member",
    "join_club",
    "remove_member",
    "replace_opening_hours",
    "revoke_invitation",
    "sign_up_and_join",
    "update_club_settings",
    "update_court",
    "update_membership_type",
]
