from django.contrib import admin
from django.urls import include, path

from fortresa.clubs.views import public as club_pages

admin.site.site_header = "Fortresa operator console"

urlpatterns = [
    path("", club_pages.directory, name="home"),
    path("", include("fortresa.status.urls")),
    path("accounts/", include("fortresa.accounts.urls")),
    path("", include("fortresa.hardening.urls")),
    path("", include("fortresa.clubs.urls")),
    path("", include("fortresa.bookings.urls")),
    path("", include("fortresa.payments.urls")),
    path("", include("fortresa.notifications.urls")),
    path("ops/alerts/", include("fortresa.detection.urls")),
    path("", include("fortresa.privacy.urls")),
    path("", include("fortresa.trust.urls")),
    path("ops/admin/", admin.site.urls),
]
