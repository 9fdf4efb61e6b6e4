from django.urls import path

from fortresa.bookings import views

app_name = "bookings"
urlpatterns = [
    path("c/<slug:slug>/day/", views.day_grid, name="day"),
    path("bookings/mine/", views.my_bookings, name="mine"),
    path("calendar/", views.calendar, name="calendar"),
]
