from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "fortresa.bookings"
    label = "bookings"
    verbose_name = "Bookings"
