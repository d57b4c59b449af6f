"""The person's own account settings that are the portal's (sign-in settings are allauth's pages)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from .models import User
from .models.accounts import WORKSPACE_EMAIL_CHOICES
from .services import user_dashboard_settings_update, user_notice_settings_update
from .views_base import PortalView


class NoticeSettingsForm(forms.Form):
    email_new_figures = forms.BooleanField(
        required=False,
        label="E-mail me when new benchmarking figures are published for my school or authority",
        help_text="You will still see the notice in the portal when you sign in.",
    )
    email_community_posts = forms.BooleanField(
        required=False,
        label="E-mail me about new threads and replies in my communities of practice",
        help_text="You will still see them in the portal's notices.",
    )
    workspace_email = forms.ChoiceField(
        choices=WORKSPACE_EMAIL_CHOICES,
        label="E-mail me about my partnership workspaces",
        help_text="A partner's new action, meeting notes or file, and actions you own falling due. "
                  "They always appear in the workspace and in the header's count.",
    )


class NoticeSettingsView(PortalView, TemplateView):
    """Any portal user (and partner organisation members), for their own account only (there is no
    other user's id in the URL)."""

    allow_partner_members = True
    template_name = "datahub/notice_settings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = cast(User, self.request.user)
        context.setdefault("form", NoticeSettingsForm(initial={"email_new_figures": user.email_new_figures,
                                                               "workspace_email": user.workspace_email,
                                                               "email_community_posts": user.email_community_posts}))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = NoticeSettingsForm(request.POST)
        if not form.is_valid():  # a checkbox cannot be invalid, but never save what was not checked
            return self.render_to_response(self.get_context_data(form=form))
        changed = user_notice_settings_update(user=cast(User, request.user), email_new_figures=form.cleaned_data["email_new_figures"],
                                             workspace_email=form.cleaned_data["workspace_email"],
                                             email_community_posts=form.cleaned_data["email_community_posts"])
        messages.success(request, "Your e-mail notices are saved." if changed else "Nothing changed.")
        return HttpResponseRedirect(reverse("notice_settings"))


class DashboardSettingsForm(forms.Form):
    years_shown = forms.TypedChoiceField(
        label="Years shown on dashboards",
        choices=[(3, "3 years"), (5, "5 years")],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="How many leaver years the dashboards' tables and charts show, latest last.",
        error_messages={"required": "Choose 3 or 5 years.", "invalid_choice": "Choose 3 or 5 years."},
    )


class DashboardSettingsView(PortalView, TemplateView):
    """Any portal user, for their own account only (there is no other user's id in the URL)."""

    template_name = "datahub/dashboard_settings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DashboardSettingsForm(initial={"years_shown": cast(User, self.request.user).years_shown}))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DashboardSettingsForm(request.POST)
        if not form.is_valid():
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 400
            return response
        changed = user_dashboard_settings_update(user=cast(User, request.user), years_shown=form.cleaned_data["years_shown"])
        messages.success(request, "Your dashboard settings are saved." if changed else "Nothing changed.")
        return HttpResponseRedirect(reverse("dashboard_settings"))
