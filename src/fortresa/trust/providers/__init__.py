"""Providers of the security page's sections, registered in page order on import."""

from fortresa.trust.providers import accounts, backups, records, services, transport
from fortresa.trust.providers.base import CLUB_PROVIDERS, PROVIDERS, Provider, Section, Status

# Page order follows the seed page: transport first, organisation last.
ORDER = (
    "transport",
    "headers",
    "backups",
    "database",
    "detection",
    "login",
    "payments",
    "email",
    "patching",
    "availability",
    "organisation",
)

__all__ = [
    "CLUB_PROVIDERS",
    "ORDER",
    "PROVIDERS",
    "Provider",
    "Section",
    "Status",
    "accounts",
    "backups",
    "records",
    "services",
    "transport",
]
