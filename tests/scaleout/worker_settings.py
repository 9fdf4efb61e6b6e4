"""Settings of the workers in the scale-out test: the real ones with a one-second job.

Only the beat schedule changes: a job every second that writes who ran it into Redis,
so the test can count runs. The scheduler, broker and lock are the production ones.
"""

from fortresa.settings import *  # noqa: F403
from fortresa.settings import CELERY_IMPORTS

CELERY_IMPORTS = (*CELERY_IMPORTS, "tests.scaleout.ticks")
CELERY_BEAT_SCHEDULE = {"scaleout-tick": {"task": "tests.scaleout.ticks.tick", "schedule": 1.0}}
