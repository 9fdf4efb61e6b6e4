from django.urls import path

from fortresa.detection import views

app_name = "detection"

urlpatterns = [
    path("", views.alert_list, name="alerts"),
    path("<int:alert_id>/", views.alert_detail, name="alert"),
    path("<int:alert_id>/state/", views.alert_change_state, name="alert_state"),
    path("<int:alert_id>/breach/", views.alert_open_breach, name="alert_breach"),
]
