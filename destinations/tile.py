"""The dashboard tile: known destinations per school (target 100%) for the place the user works as.

For insight's dashboard (a higher layer):
    ctx["known_tile"] = known_destinations_tile(request.user, request.membership)
    {% include "destinations/_known_tile.html" with tile=known_tile %}
Every figure passes datahub.disclosure with the viewer's entitlement.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from datahub import disclosure
from datahub.access import Entitlement, authority_entitlement, entitlement_for
from datahub.models import Establishment, LocalAuthority, Membership, User

from .measures import measure_cells
from .selectors import destination_measures, leaver_years, scotland_measures


def known_destinations_tile(user: User, membership: Membership | None) -> dict[str, Any] | None:
    """Known initial and follow-up destinations of the latest leaver year: the school itself, the
    schools of an authority, or every authority for national roles. None when no leavers."""
    if membership is None:
        return None
    rows: list[dict[str, Any]] = []
    if membership.establishment_id:
        est = membership.establishment
        assert est is not None
        years = leaver_years(establishment_ids=[est.id])
        if not years:
            return None
        data = destination_measures(level="establishment", ids=[est.id], years=years[:1])
        rows.append({"label": est.name, **measure_cells(data.get((est.id, years[0], None)), entitlement_for(user, est))})
        place = est.name
    elif membership.authority_id:
        authority = membership.authority
        assert authority is not None
        years = leaver_years(authority_ids=[authority.id])
        if not years:
            return None
        schools = list(Establishment.objects.filter(authority=authority, leavers__leaver_year=years[0]).distinct()
                       .order_by("name"))
        data = destination_measures(level="establishment", ids=[s.id for s in schools], years=years[:1])
        rows = [{"label": s.name, **measure_cells(data.get((s.id, years[0], None)), entitlement_for(user, s))}
                for s in schools]
        total = destination_measures(level="authority", ids=[authority.id], years=years[:1])
        rows.append({"label": f"{authority.name}: all schools", "total": True,
                     **measure_cells(total.get((authority.id, years[0], None)), authority_entitlement(user, authority))})
        place = authority.name
    else:
        years = leaver_years()
        if not years:
            return None
        data = scotland_measures(level="authority", years=years[:1])
        rows = [{"label": la.name, **measure_cells(data.get((la.id, years[0], None)), authority_entitlement(user, la))}
                for la in LocalAuthority.objects.order_by("name")]
        scotland = scotland_measures(level="national", years=years[:1])
        rows.append({"label": "Scotland", "total": True,
                     **measure_cells(scotland.get((None, years[0], None)), Entitlement.PUBLIC)})
        place = "Scotland"
    year = years[0]
    return {
        "place": place,
        "year_label": f"{year - 1}/{str(year)[2:]}",
        "rows": rows,
        "below_target": sum(1 for r in rows if r["known_target_met"] is False and not r.get("total")),
        "any_suppressed": any(r["any_suppressed"] for r in rows),
        "explanation": disclosure.explanation(),
        "url": reverse("destinations:index"),
    }
