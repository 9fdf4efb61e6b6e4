from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "fortresa.detection"
    label = "detection"
    verbose_name = "Threat detection and alerts"
