"""Settings for the test suite: the ``test`` profile of the real settings module."""

import os

os.environ.setdefault("FORTRESA_PROFILE", "test")

from fortresa.settings import *  # noqa: E402,F403
