"""Local stand-ins for PayPal, Paybox and Stripe, speaking the documented protocol parts.

They are small WSGI applications with their state in memory or a SQLite file, so the same code
runs on a loopback server in the tests (``simulators.server``) and under ``/simulator/``
in the embedded demo (never in production). Their keys are generated at run time.
"""
