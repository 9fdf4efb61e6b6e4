"""Django's PostgreSQL backend with Fortresa's request transaction (``ENGINE`` here)."""
