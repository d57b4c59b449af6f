"""The audit log of the user's authorities, filtered and paged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from datahub.views_base import PortalView

from ..access import AUDIT_ROLES, audit_authority_ids
from ..forms import AuditFilterForm
from ..selectors import audit_events_for, authorities_by_ids
from . import PAGE_SIZE

AUDIT_ACTIONS = {
    "view_learner": "Viewed a young person's record (data hub)",
    "view_journey": "Viewed a learner journey",
    "view_journey_form": "Opened a form about a young person",
    "destination_record": "Recorded a destination",
    "participation_record": "Recorded a participation status",
    "contact_record": "Recorded a contact or note",
    "case_update": "Changed an assignment or next action",
    "bulk_assign": "Assigned in bulk",
    "bulk_status": "Updated status in bulk",
    "caseload_export": "Exported the caseload",
    "api_view_destinations": "Read destination records (API)",
    "api_destination_record": "Recorded a destination (API)",
    "api_participation_record": "Recorded a participation status (API)",
}




class AuditLogView(PortalView, TemplateView):
    """The audit log of the user's authorities: its MCMC officers and authority data managers (a
    national data manager: every authority). Other roles 403."""

    template_name = "destinations/audit_log.html"
    required_roles = AUDIT_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        allowed = audit_authority_ids(self.request.user)
        if allowed == set():
            raise PermissionDenied("Only MCMC officers and data managers of an authority read its audit log")
        authorities = list(authorities_by_ids(allowed))
        form = AuditFilterForm(self.request.GET or None, authorities=authorities,
                               actions=sorted(AUDIT_ACTIONS.items(), key=lambda a: a[1]))
        if form.is_bound:
            form.is_valid()
        data = form.cleaned_data if form.is_bound else {}
        chosen = data.get("authority")
        ids = allowed if chosen is None else ({chosen} if allowed is None or chosen in allowed else set())
        qs = audit_events_for(ids)
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("actor"):
            qs = qs.filter(actor__email__icontains=data["actor"])
        if data.get("learner"):
            qs = qs.filter(object_type="learner", object_id=str(data["learner"]))
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz))
        if data.get("date_to"):
            qs = qs.filter(at__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
        page = Paginator(qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        ctx.update(form=form, page=page, labels=AUDIT_ACTIONS, authorities=authorities,
                   all_authorities=allowed is None)
        return ctx
