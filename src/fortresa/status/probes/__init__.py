"""Probes, registered by identifier when this package is imported (from ``apps.ready``)."""

from fortresa.status.probes import infrastructure, records
from fortresa.status.probes.base import (
    Probe,
    ProbeOutcome,
    register,
    registered_probes,
    unregister,
)

__all__ = [
    "Probe",
    "ProbeOutcome",
    "infrastructure",
    "records",
    "register",
    "registered_probes",
    "unregister",
]
