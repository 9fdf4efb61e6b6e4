"""Fortresa: court reservations for sports clubs, built to keep members' data safe."""

# Loading the Celery app with Django makes @shared_task bind to it in every process.
from fortresa.celery import app as celery_app

__all__ = ["celery_app"]
