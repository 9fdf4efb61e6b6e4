"""Alert channels: small providers behind one base class, registered by identifier."""

from fortresa.detection.channels.base import AlertChannel, DeliveryError, enabled_channels

__all__ = ["AlertChannel", "DeliveryError", "enabled_channels"]
