"""Settings of the benchmarked server: the real ones, plus a trivial view for a ceiling.

``FORTRESA_BENCH_BARE=1`` also empties the middleware list, for the bare-view baseline.
Only bench/ uses this module; production settings are not touched.
"""

import os

from fortresa.settings import *  # noqa: F403
from fortresa.settings import MIDDLEWARE

ROOT_URLCONF = "bench.web.urls"
if os.environ.get("FORTRESA_BENCH_BARE") == "1":
    MIDDLEWARE = []  # noqa: F811 - the ceiling: Django's handler and a view, nothing else
    # The checks rightly refuse a site without these middleware; this process serves
    # only the bare view, for one row of the bench.
    SILENCED_SYSTEM_CHECKS = [
        "admin.E408",
        "admin.E409",
        "admin.E410",
        "fortresa.E101",
        "fortresa.E102",
    ]
