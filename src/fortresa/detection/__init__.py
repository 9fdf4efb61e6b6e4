"""Threat detection: sensors feed rules, rules raise alerts, channels deliver them."""
