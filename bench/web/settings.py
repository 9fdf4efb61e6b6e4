"""Settings of the benchmarked server: the real ones, plus a trivial view for a ceiling.

``FORTRESA_BENCH_BARE=1`` also empties the middleware list, for the bare-view baseline;
``FORTRESA_BENCH_BARE=django`` keeps only the middleware that is not a security layer
(WhiteNoise, sessions, locale with Fortresa's user-language step before it, common,
auth, messages): the issue's "bare view with the security middleware switched off",
against which the security layers are measured.
Only bench/ uses this module; production settings are not touched.
"""

import os

from fortresa.settings import *  # noqa: F403
from fortresa.settings import MIDDLEWARE, SILENCED_SYSTEM_CHECKS

ROOT_URLCONF = "bench.web.urls"
BARE = os.environ.get("FORTRESA_BENCH_BARE", "")
# Security layers: Django's CSRF and every Fortresa middleware (headers, CSP nonce, HSTS
# and the HTTPS redirect; detection, NUL bytes, session lifetime, staff gate, row-level
# security's tenant context) but the user-language one, which only picks the language
# (a signed-in member's preference over the browser's) and is part of the site's locale
# handling: it stays in the ceiling (until 2026-11-24 it was counted as a security layer).
SECURITY_LAYERS = {"django.middleware.csrf.CsrfViewMiddleware"}
NOT_SECURITY = {"fortresa.accounts.middleware.UserLanguageMiddleware"}
if BARE == "django":
    MIDDLEWARE = [  # noqa: F811 - sessions, locale, common, auth, messages, static files
        name
        for name in MIDDLEWARE
        if (name.startswith(("django.", "whitenoise.")) and name not in SECURITY_LAYERS)
        or name in NOT_SECURITY
    ]
if BARE:
    # Without the entry point's scrub of the process environment, a security layer too.
    WSGI_APPLICATION = "bench.web.wsgi.application"
    if BARE == "1":
        MIDDLEWARE = []  # the ceiling: Django's handler and a view, nothing else
    # The checks rightly refuse a site without these middleware; this process serves
    # only the bare view, for one or two rows of the bench.
    SILENCED_SYSTEM_CHECKS = [
        *SILENCED_SYSTEM_CHECKS,
        "admin.E408",
        "admin.E409",
        "admin.E410",
        "fortresa.E101",
        "fortresa.E102",
    ]
