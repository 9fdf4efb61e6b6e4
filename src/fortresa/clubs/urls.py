from django.urls import path

from fortresa.clubs.views import (
    closures,
    courts,
    invitation,
    invitations,
    manage,
    members,
    membership_types,
    public,
)

app_name = "clubs"
_manage = "c/<slug:slug>/manage/"
urlpatterns = [
    path("c/<slug:slug>/", public.club_home, name="home"),
    path("c/<slug:slug>/join/", public.join, name="join"),
    path("invite/<str:token>/", invitation.accept_invitation, name="accept_invitation"),
    path(_manage, manage.overview, name="manage"),
    path(_manage + "settings/", manage.club_settings, name="manage_settings"),
    path(_manage + "courts/", courts.court_list, name="manage_courts"),
    path(_manage + "courts/new/", courts.court_create, name="manage_court_create"),
    path(_manage + "courts/<int:court_id>/", courts.court_edit, name="manage_court_edit"),
    path(
        _manage + "courts/<int:court_id>/delete/",
        courts.court_delete,
        name="manage_court_delete",
    ),
    path(_manage + "courts/<int:court_id>/hours/", courts.court_hours, name="manage_court_hours"),
    path(
        _manage + "courts/<int:court_id>/hours/copy/",
        courts.court_hours_copy,
        name="manage_court_hours_copy",
    ),
    path(_manage + "closures/", closures.closure_list, name="manage_closures"),
    path(
        _manage + "closures/<int:closure_id>/delete/",
        closures.closure_delete,
        name="manage_closure_delete",
    ),
    path(_manage + "membership-types/", membership_types.type_list, name="manage_types"),
    path(
        _manage + "membership-types/<int:type_id>/",
        membership_types.type_edit,
        name="manage_type_edit",
    ),
    path(
        _manage + "membership-types/<int:type_id>/delete/",
        membership_types.type_delete,
        name="manage_type_delete",
    ),
    path(_manage + "members/", members.member_list, name="manage_members"),
    path(_manage + "members/<int:membership_id>/", members.member_detail, name="manage_member"),
    path(
        _manage + "members/<int:membership_id>/role/",
        members.member_role,
        name="manage_member_role",
    ),
    path(
        _manage + "members/<int:membership_id>/type/",
        members.member_type,
        name="manage_member_type",
    ),
    path(
        _manage + "members/<int:membership_id>/remove/",
        members.member_remove,
        name="manage_member_remove",
    ),
    path(_manage + "invitations/", invitations.invitation_list, name="manage_invitations"),
    path(
        _manage + "invitations/<int:invitation_id>/revoke/",
        invitations.invitation_revoke,
        name="manage_invitation_revoke",
    ),
]
