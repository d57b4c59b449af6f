"""A young person's journey and the casework forms (contact, destination, participation status,
assignment). Every page that shows one young person writes exactly one audit entry.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from datahub.access import can_see_scn
from datahub.services import audit_event_create
from datahub.views_base import PortalView

from .. import services
from ..access import may_work_case, require_journey
from ..forms import AssignmentForm, ContactForm, DestinationForm, ParticipationForm
from ..models import Case, ParticipationSpell
from ..pathways.selectors import handover_for
from ..selectors import journey_for, journey_learner, officers_for_authorities


class JourneyMixin:
    """Look the young person up, apply the journey rules, and audit each page shown."""

    request: HttpRequest
    kwargs: dict[str, Any]
    write: ClassVar[bool] = False
    audit_action: ClassVar[str] = "view_journey_form"
    form_name: ClassVar[str] = ""

    def get_learner(self) -> Any:
        if not hasattr(self, "_learner"):
            learner = journey_learner(self.kwargs["pk"])
            require_journey(self.request.user, learner, write=self.write)
            if self.write and getattr(learner, "leaver", None) is None:
                raise Http404("This young person has no school leaving record")
            self._learner = learner
        return self._learner

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        learner = self.get_learner()
        audit_event_create(
            actor=self.request.user,  # type: ignore[arg-type]
            action=self.audit_action,
            object_type="learner",
            object_id=learner.pk,
            establishment=learner.establishment,
            detail={"page": self.form_name or "journey"},
        )
        return super().render_to_response(context, **kwargs)  # type: ignore[misc]

    def journey_context(self) -> dict[str, Any]:
        learner = self.get_learner()
        return {
            "learner": learner,
            "leaver": getattr(learner, "leaver", None),
            "show_scn": can_see_scn(self.request.user, learner),
            "can_work": may_work_case(self.request.user, learner),
        }


class JourneyView(JourneyMixin, PortalView, TemplateView):
    """A young person's journey: the young person's authority's MCMC officers and their last
    school's admins and staff (others who may see the learner: 403; everyone else: 404)."""

    template_name = "destinations/journey.html"
    audit_action = "view_journey"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.journey_context())
        ctx["journey"] = journey_for(ctx["learner"])
        ctx["handover"] = handover_for(ctx["learner"])  # the pipeline before leaving (issue 18)
        ctx["today"] = timezone.localdate()
        return ctx


class CaseworkFormView(JourneyMixin, PortalView, FormView):
    """Base of the casework forms: MCMC officers of the young person's authority only."""

    write = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.journey_context())
        ctx["journey_url"] = reverse("destinations:journey", kwargs={"pk": self.get_learner().pk})
        ctx["form_name"] = self.form_name
        return ctx

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_learner()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_learner()
        return super().post(request, *args, **kwargs)

    def done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse("destinations:journey", kwargs={"pk": self.get_learner().pk}))

    def service_error(self, form: Any, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return self.form_invalid(form)


class ContactCreateView(CaseworkFormView):
    template_name = "destinations/casework_form.html"
    extra_context = {"heading": "Record a contact", "submit": "Save contact"}
    form_class = ContactForm
    form_name = "contact"

    def get_initial(self) -> dict[str, Any]:
        case = Case.objects.filter(leaver=self.get_learner().leaver).first()
        return {
            "contact_date": timezone.localdate(),
            "next_action": case.next_action if case else "",
            "next_action_date": case.next_action_date if case else None,
        }

    def form_valid(self, form: ContactForm) -> HttpResponse:
        try:
            services.contact_note_create(leaver=self.get_learner().leaver, by=self.request.user,  # type: ignore[arg-type]
                                    **form.cleaned_data)
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Contact recorded.")


class DestinationCreateView(CaseworkFormView):
    template_name = "destinations/casework_form.html"
    extra_context = {"heading": "Record a destination", "submit": "Save destination"}
    form_class = DestinationForm
    form_name = "destination"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        journey = journey_for(self.get_learner())
        ctx.update(current_initial=journey.initial, current_follow_up=journey.follow_up)
        return ctx

    def get_initial(self) -> dict[str, Any]:
        journey = journey_for(self.get_learner())
        return {"kind": "follow_up" if journey.initial else "initial"}

    def form_valid(self, form: DestinationForm) -> HttpResponse:
        data = form.cleaned_data
        leaver = self.get_learner().leaver
        replaces = leaver.destinations.filter(kind=data["kind"], superseded_at__isnull=True).exists()
        if replaces and not data["reason"].strip():
            form.add_error("reason", "Give a reason: this replaces the current record (which is kept in the history).")
            return self.form_invalid(form)
        try:
            services.destination_record_create(leaver=leaver, kind=data["kind"], category=data["category"],
                                        by=self.request.user, note=data["note"], reason=data["reason"])  # type: ignore[arg-type]
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Destination recorded. The earlier record is kept in the history." if replaces
                         else "Destination recorded.")


class ParticipationCreateView(CaseworkFormView):
    template_name = "destinations/casework_form.html"
    extra_context = {"heading": "Record a participation status", "submit": "Save status"}
    form_class = ParticipationForm
    form_name = "participation"

    def _latest(self) -> ParticipationSpell | None:
        return ParticipationSpell.objects.filter(learner=self.get_learner()).order_by("-start_date").first()

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        latest = self._latest()
        kwargs["latest_start"] = latest.start_date if latest else None
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"start_date": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["latest"] = self._latest()
        return ctx

    def form_valid(self, form: ParticipationForm) -> HttpResponse:
        try:
            services.participation_spell_create(learner=self.get_learner(), by=self.request.user,  # type: ignore[arg-type]
                                          **form.cleaned_data)
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Participation status recorded.")


class AssignmentView(CaseworkFormView):
    template_name = "destinations/casework_form.html"
    extra_context = {"heading": "Assign or set the next action", "submit": "Save"}
    form_class = AssignmentForm
    form_name = "assignment"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["officers"] = list(officers_for_authorities([self.get_learner().establishment.authority_id]))
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        case = Case.objects.filter(leaver=self.get_learner().leaver).first()
        if case is None:
            return {"officer": str(self.request.user.pk)}
        return {"officer": str(case.officer_id or ""), "next_action": case.next_action,
                "next_action_date": case.next_action_date}

    def form_valid(self, form: AssignmentForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services.case_update(leaver=self.get_learner().leaver, by=self.request.user,  # type: ignore[arg-type]
                                 officer=form.officer_user(), next_action=data["next_action"],
                                 next_action_date=data["next_action_date"], reason=data["reason"])
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Assignment and next action saved.")
