"""Sensors: each watches one place (HTTP, SQL, PostgreSQL log, accounts, CSP) and raises alerts."""
