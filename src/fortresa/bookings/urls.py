from django.urls import path, register_converter

from fortresa.bookings.converters import IsoDateConverter
from fortresa.bookings.views import booking, calendar, grids, manage

register_converter(IsoDateConverter, "isodate")

app_name = "bookings"
urlpatterns = [
    path("c/<slug:slug>/day/", grids.day, name="day"),
    path("c/<slug:slug>/day/<isodate:date>/", grids.day, name="day_for"),
    path("c/<slug:slug>/week/", grids.week, name="week"),
    path("c/<slug:slug>/week/<isodate:date>/", grids.week, name="week_for"),
    path("c/<slug:slug>/book/", booking.book, name="book"),
    path("c/<slug:slug>/manage/rules/", manage.manage_rules, name="manage_rules"),
    path("bookings/mine/", booking.mine, name="mine"),
    path("bookings/<int:booking_id>/cancel/", booking.cancel, name="cancel"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/<int:user_id>/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
