from django.urls import path

from fortresa.payments import manage_views, views
from fortresa.payments.simulators.views import simulator

app_name = "payments"
urlpatterns = [
    path("payments/", views.mine, name="mine"),
    path("payments/booking/<int:booking_id>/", views.pay_booking, name="pay_booking"),
    path("payments/<uuid:reference>/return/", views.payment_return, name="return"),
    path("payments/<uuid:reference>/cancelled/", views.payment_cancelled, name="cancelled"),
    path("payments/notify/<slug:provider>/<slug:slug>/", views.notify, name="notify"),
    path("c/<slug:slug>/tickets/", views.tickets, name="tickets"),
    path("c/<slug:slug>/membership-fee/", views.membership_fee, name="membership_fee"),
    path("c/<slug:slug>/manage/payments/", manage_views.manage_payments, name="manage"),
    path(
        "c/<slug:slug>/manage/payments/<uuid:reference>/refund/",
        manage_views.refund,
        name="refund",
    ),
    # Answers 404 unless the simulators are enabled (never in production).
    path("simulator/<path:path>", simulator, name="simulator"),
]
