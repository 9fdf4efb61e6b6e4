"""Settings of the benchmarked server: the real ones, plus a trivial view for a ceiling.

``FORTRESA_BENCH_BARE=1`` also empties the middleware list, for the bare-view baseline;
``FORTRESA_BENCH_BARE=django`` keeps only Django's own middleware (and WhiteNoise), to
show how much of the stack's cost is the framework's and how much is Fortresa's.
Only bench/ uses this module; production settings are not touched.
"""

import os

from fortresa.settings import *  # noqa: F403
from fortresa.settings import MIDDLEWARE

ROOT_URLCONF = "bench.web.urls"
BARE = os.environ.get("FORTRESA_BENCH_BARE", "")
if BARE == "django":
    MIDDLEWARE = [  # noqa: F811 - sessions, auth, CSRF, locale, messages: no Fortresa layer
        name for name in MIDDLEWARE if name.startswith(("django.", "whitenoise."))
    ]
if BARE:
    if BARE == "1":
        MIDDLEWARE = []  # the ceiling: Django's handler and a view, nothing else
    # The checks rightly refuse a site without these middleware; this process serves
    # only the bare view, for one or two rows of the bench.
    SILENCED_SYSTEM_CHECKS = [
        "admin.E408",
        "admin.E409",
        "admin.E410",
        "fortresa.E101",
        "fortresa.E102",
    ]
