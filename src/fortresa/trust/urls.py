from django.urls import path

from fortresa.trust import views

app_name = "trust"

urlpatterns = [
    path("security/", views.security_page, name="page"),
    path("security.json", views.security_json, name="json"),
    path("c/<slug:slug>/manage/security/", views.club_security, name="club"),
]
