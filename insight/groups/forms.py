"""Reading the comparator-group forms: members picked by SEED code or ticked from a filter's list,
the filter itself, the people and partnership a group is shared with. Bad input raises GroupError
naming the field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.http import QueryDict

from datahub.models import Establishment, EstablishmentType, User
from partnerships.models import Partnership, Status
from partnerships.selectors import member_establishment_ids

from .services import GroupError

FILTER_FIELDS = ("urban_rural", "simd_q1", "fsm", "roll", "authority")
SEED = re.compile(r"\b(\d{7})\b")


def filter_from(params: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(params.get(k, "")).strip()[:20] for k in FILTER_FIELDS if str(params.get(k, "")).strip()}


def members_from(post: QueryDict) -> list[Establishment]:
    """Ticked schools (``member``) and SEED codes typed in ``seeds``; every code must be a secondary school."""
    codes = [*post.getlist("member"), *SEED.findall(post.get("seeds", ""))]
    leftover = SEED.sub("", post.get("seeds", "")).strip(" ,;\n\r\t()")
    if leftover and not codes:
        raise GroupError("seeds", "Give schools by their seven-digit SEED codes, one per line.")
    found = {e.seed_code: e for e in Establishment.objects.filter(seed_code__in=codes, type=EstablishmentType.SECONDARY)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise GroupError("seeds", f"No secondary school has the SEED code {', '.join(unknown[:5])}.")
    return list(found.values())


def people_from(text: str) -> list[User]:
    """Portal users named by e-mail, one per line or separated by commas."""
    emails = [e.strip().lower() for e in re.split(r"[\s,;]+", text) if e.strip()]
    if len(emails) > 50:
        raise GroupError("emails", "Share with at most 50 people at once.")
    users = {u.email.lower(): u for u in User.objects.filter(email__in=emails, is_active=True, memberships__isnull=False).distinct()}
    unknown = [e for e in emails if e not in users]
    if unknown:
        raise GroupError("emails", f"No portal user has the e-mail address {unknown[0]}.")
    return list(users.values())


def partnerships_of(user: Any) -> list[Partnership]:
    """Active learning partnerships of the user's schools: the ones a group can be shared with."""
    ids = member_establishment_ids(user)
    return list(Partnership.objects.filter(Q(proposer_id__in=ids) | Q(partner_id__in=ids), status=Status.ACTIVE)
                .select_related("proposer", "partner"))


def partnership_from(user: Any, value: str) -> Partnership | None:
    if not value:
        return None
    found = next((p for p in partnerships_of(user) if str(p.pk) == value), None)
    if found is None:
        raise GroupError("partnership", "Choose one of your schools' active learning partnerships.")
    return found
