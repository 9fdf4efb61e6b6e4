from django.urls import path

from fortresa.status import feeds, health, metrics, ops, views

app_name = "status"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("status/", views.status_page, name="page"),
    path("status.json", views.status_json, name="json"),
    path("status/feed.atom", feeds.IncidentFeed(), name="feed"),
    path("status/incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path("status/subscribe/", views.subscribe, name="subscribe"),
    path("status/subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("status/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("ops/metrics", metrics.metrics, name="metrics"),
    path("ops/status/", ops.console, name="ops"),
    path("ops/status/incidents/", ops.open_incident, name="ops_open_incident"),
    path("ops/status/maintenance/", ops.schedule_maintenance, name="ops_schedule_maintenance"),
    path(
        "ops/status/incidents/<int:incident_id>/updates/", ops.post_update, name="ops_post_update"
    ),
]
