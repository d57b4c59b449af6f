"""The Celery application. Without CELERY_BROKER_URL tasks run eagerly in the web process."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insight.config.settings")

app = Celery("insight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def forget_queries(**_: object) -> None:
    """Start each task with an empty query log, as Django starts each request. With DEBUG on (any
    environment but production) Django keeps the SQL of the last 9,000 queries, and a benchmark
    chunk's write carries its frames (about 2 MB) in its SQL: a worker kept every chunk it had
    computed, its memory growing with the number of leaver years (bench/scale_curve.py)."""
    from django.db import reset_queries

    reset_queries()
