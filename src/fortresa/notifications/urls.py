from django.urls import path

from fortresa.notifications import views

app_name = "notifications"
urlpatterns = [
    path("email/preferences/", views.request_link, name="request_link"),
    path("email/preferences/<str:token>/", views.preferences, name="preferences"),
    path(
        "email/preferences/<str:token>/confirm/",
        views.request_confirmation,
        name="request_confirmation",
    ),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("email/confirm/<str:token>/", views.confirm, name="confirm"),
    path("email/feedback/", views.feedback_webhook, name="feedback"),
    path("c/<slug:slug>/manage/mailings/", views.club_mailings, name="club_mailings"),
]
