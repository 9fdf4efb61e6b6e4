from django.urls import path

from fortresa.privacy.views import member, ops

app_name = "privacy"

urlpatterns = [
    path("privacy/", member.home, name="home"),
    path("privacy/consents/", member.consents, name="consents"),
    path("privacy/export/", member.export, name="export"),
    path("privacy/erase/", member.erase, name="erase"),
    path("privacy/erased/", member.erased, name="erased"),
    path("privacy/restore/<slug:pseudonym>/<str:key>/", member.undo, name="undo"),
    path("ops/breaches/", ops.breach_list, name="breaches"),
    path("ops/breaches/new/", ops.breach_new, name="breach_new"),
    path("ops/breaches/<int:breach_id>/", ops.breach_detail, name="breach"),
    path("ops/breaches/<int:breach_id>/edit/", ops.breach_edit, name="breach_edit"),
    path("ops/breaches/<int:breach_id>/notified/", ops.breach_notified, name="breach_notified"),
    path(
        "ops/breaches/<int:breach_id>/communicate/",
        ops.breach_communicate,
        name="breach_communicate",
    ),
    path(
        "ops/breaches/<int:breach_id>/notification/",
        ops.breach_notification,
        name="breach_notification",
    ),
    path(
        "ops/breaches/<int:breach_id>/notification.pdf",
        ops.breach_notification_pdf,
        name="breach_notification_pdf",
    ),
    path("ops/privacy/records/", ops.records, name="records"),
]
