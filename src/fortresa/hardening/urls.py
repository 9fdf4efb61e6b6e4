from django.urls import path

from fortresa.hardening import views

app_name = "hardening"

urlpatterns = [
    path("csp-report/", views.csp_report, name="csp_report"),
    path(".well-known/security.txt", views.security_txt_view, name="security_txt"),
    path("security/disclosure/", views.security_policy, name="disclosure_policy"),
]
