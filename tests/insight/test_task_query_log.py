"""Celery tasks start with an empty query log (insight.config.celery.forget_queries): with DEBUG on a
worker otherwise kept the SQL of its last 9,000 queries, each benchmark chunk's frames among them."""

from __future__ import annotations

import pytest
from celery.signals import task_prerun
from django.db import connection
from django.test import override_settings

from datahub.models import LocalAuthority
from insight import tasks

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_a_task_starts_with_an_empty_query_log() -> None:
    list(LocalAuthority.objects.all())
    assert connection.queries  # DEBUG on: the query was logged
    task_prerun.send(sender=tasks.compute_chunk, task_id="t", task=tasks.compute_chunk, args=(1,), kwargs={})
    assert connection.queries == []
