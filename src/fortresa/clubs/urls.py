from django.urls import path

from fortresa.clubs import views

app_name = "clubs"
urlpatterns = [
    path("c/<slug:slug>/", views.club_home, name="home"),
]
