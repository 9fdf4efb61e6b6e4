from django.apps import AppConfig


class SupplychainConfig(AppConfig):
    name = "fortresa.supplychain"
    label = "supplychain"
    verbose_name = "Supply chain: dependency audits and SBOM"
