"""``--replace``: delete what an earlier demo run made (its establishments, everything of their
learners, and the demo users), and nothing else."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from django.db import connection, models, transaction

from datahub.models import Enrolment, Establishment, Learner, QualificationResult, SchoolLeaver, User
from destinations.models import DestinationRecord, Offer, OfferEvent, ParticipationSpell, PathwayRecord
from insight.demo.scales import DEMO_SEED_PREFIX
from insight.demo.users import DEMO_EMAIL_DOMAIN


def _made_by_demo() -> models.Q:
    # Fictional schools have SEED codes in the reserved block; real schools the demo wrote from the
    # published list keep their own codes and are known by ``synthetic`` (only the generator sets it).
    return models.Q(seed_code__startswith=DEMO_SEED_PREFIX) | models.Q(synthetic=True)


def demo_establishments() -> models.QuerySet[Establishment]:
    """The establishments a demo run made (fictional or real schools with synthetic figures)."""
    return Establishment.objects.filter(_made_by_demo())


def delete_demo_data(log: Callable[[str], None] = lambda s: None) -> dict[str, int]:
    """Delete what an earlier run made: its establishments (and everything of their learners) and
    the demo users. Big tables go by SQL; the rest through the ORM so other apps' cascades apply."""
    est_ids = list(demo_establishments().values_list("id", flat=True))
    deleted: dict[str, int] = {}
    qn = connection.ops.quote_name
    if est_ids:
        learners = Learner.objects.filter(establishment_id__in=est_ids)
        leavers = SchoolLeaver.objects.filter(
            models.Q(learner__in=learners) | models.Q(establishment_id__in=est_ids))
        # Rows of other apps that point at these learners or leavers (e.g. benchmark rows).
        handled = {ParticipationSpell, DestinationRecord, QualificationResult, Enrolment, SchoolLeaver, PathwayRecord,
                   Offer}
        for target, qs in ((Learner, learners), (SchoolLeaver, leavers)):
            for rel in target._meta.related_objects:
                related_model = rel.related_model
                if isinstance(related_model, str) or related_model in handled or not getattr(rel, "field", None):
                    continue
                related = related_model._base_manager.filter(**{f"{rel.field.name}__in": qs})
                if rel.on_delete is models.SET_NULL:
                    related.update(**{rel.field.name: None})
                else:
                    related.delete()
        est_sql = ", ".join(str(int(i)) for i in est_ids)
        lt, lrt = qn(Learner._meta.db_table), qn(SchoolLeaver._meta.db_table)
        learner_sub = f"SELECT id FROM {lt} WHERE establishment_id IN ({est_sql})"
        leaver_sub = (f"SELECT id FROM {lrt} WHERE learner_id IN ({learner_sub}) "
                      f"OR establishment_id IN ({est_sql})")
        offer_sub = f"SELECT id FROM {qn(Offer._meta.db_table)} WHERE learner_id IN ({learner_sub})"
        statements = [
            (OfferEvent, f"offer_id IN ({offer_sub})"),
            (Offer, f"learner_id IN ({learner_sub})"),
            (PathwayRecord, f"learner_id IN ({learner_sub})"),
            (ParticipationSpell, f"learner_id IN ({learner_sub})"),
            (DestinationRecord, f"leaver_id IN ({leaver_sub})"),
            (QualificationResult, f"learner_id IN ({learner_sub}) OR establishment_id IN ({est_sql})"),
            (Enrolment, f"learner_id IN ({learner_sub}) OR establishment_id IN ({est_sql})"),
            (SchoolLeaver, f"learner_id IN ({learner_sub}) OR establishment_id IN ({est_sql})"),
            (Learner, f"establishment_id IN ({est_sql})"),
        ]
        only_demo = not Establishment.objects.exclude(_made_by_demo()).exists()
        if only_demo and connection.vendor == "postgresql" and _truncate([m for m, _ in statements], log):
            statements = []
        with connection.cursor() as cursor:
            for model, where in statements:
                t0 = time.monotonic()
                cursor.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE {where}")
                deleted[model.__name__] = cursor.rowcount
                log(f"  deleted {cursor.rowcount:>9,} {model.__name__} rows ({time.monotonic() - t0:.1f}s)")
        deleted["Establishment"] = demo_establishments().delete()[1].get("datahub.Establishment", 0)
    deleted["User"] = User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").delete()[1].get(
        "datahub.User", 0)
    return deleted


def _truncate(tables: Sequence[type[models.Model]], log: Callable[[str], None]) -> bool:
    """When every establishment is a demo one, every learner row is demo data: TRUNCATE them (no
    dead rows, no per-row trigger work). False if PostgreSQL refuses (e.g. another table refers to
    them), and the caller deletes row by row instead."""
    qn = connection.ops.quote_name
    t0 = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending trigger events
            cursor.execute(f"TRUNCATE {', '.join(qn(m._meta.db_table) for m in tables)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    except Exception as exc:
        log(f"  (TRUNCATE not possible, deleting row by row: {exc})")
        return False
    log(f"  truncated {', '.join(m.__name__ for m in tables)} ({time.monotonic() - t0:.1f}s)")
    return True
