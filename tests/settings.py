"""Settings for the test suite: the ``test`` profile of the real settings module."""

import os

os.environ.setdefault("FORTRESA_PROFILE", "test")

from fortresa.settings import *  # noqa: E402,F403
from fortresa.settings import DATABASES  # noqa: E402

# One test database per pytest process, so several runs on one PostgreSQL server (two
# developers, CI beside a developer) never drop each other's database. pytest-django
# drops it at the end of the run and adds its own suffix per xdist worker.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": f"test_fortresa_{os.getpid()}"}

# The on-disk cache (used when REDIS_URL is unset) is shared by every process of a host; a
# test clearing it must not wipe the rate-limit counters another xdist worker is counting.
from fortresa.settings import CACHES  # noqa: E402

if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    CACHES["default"]["LOCATION"] = f"{CACHES['default']['LOCATION']}/pytest-{os.getpid()}"
