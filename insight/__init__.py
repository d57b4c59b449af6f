"""Insight Portal: the project package and the benchmarking app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
