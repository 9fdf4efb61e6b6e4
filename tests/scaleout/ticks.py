"""The job the scale-out test schedules every second: it records each run in Redis."""

from __future__ import annotations

import os
import time

import redis
from django.conf import settings

from fortresa.celery import app

TICKS_KEY = "fortresa-scaleout:ticks"


@app.task(name="tests.scaleout.ticks.tick")
def tick() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.rpush(TICKS_KEY, f"{os.getpid()} {time.time():.3f}")
    client.close()
