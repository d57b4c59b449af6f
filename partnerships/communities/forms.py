"""Forms of the community pages: validation messages name the field; services check the rest."""

from __future__ import annotations

from django import forms

from .embeds import EmbedRefused, embed_clean
from .models import MAX_POST

_INPUT = {"class": "ds_input"}
EMBED_HELP = ("Optional. The address of a school's or an authority's dashboard, or of the national view, on this "
              "portal, ending with # and the chart or table to show (for example "
              "/insight/establishments/1234567/#m-avg-tariff-lowest20). Each reader sees it with their own "
              "access: figures they are not entitled to show as c.")


class EmbedField(forms.CharField):
    def clean(self, value: object) -> str:
        text = super().clean(value)
        try:
            return embed_clean(text or "")
        except EmbedRefused as exc:
            raise forms.ValidationError(str(exc)) from None


class CommunityForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150, widget=forms.TextInput(attrs=_INPUT))
    purpose = forms.CharField(label="Purpose", max_length=2000, required=False,
                              widget=forms.Textarea(attrs={**_INPUT, "rows": 4}),
                              help_text="What the community is for and who it brings together.")


class MemberForm(forms.Form):
    email = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={**_INPUT, "autocomplete": "off"}),
                             help_text="Someone with a role in the portal, or a member of a partner organisation.")
    is_admin = forms.BooleanField(label="Make them an admin of the community (adds members, hides posts)",
                                  required=False)


class ThreadForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, widget=forms.TextInput(attrs=_INPUT))
    body = forms.CharField(label="Your post", max_length=MAX_POST, widget=forms.Textarea(attrs={**_INPUT, "rows": 6}),
                           help_text="Do not share personal details of young people.")
    embed_url = EmbedField(label="Embed a chart or table", max_length=500, required=False,
                           widget=forms.TextInput(attrs={**_INPUT, "spellcheck": "false"}), help_text=EMBED_HELP)


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", max_length=MAX_POST, widget=forms.Textarea(attrs={**_INPUT, "rows": 4}),
                           help_text="Do not share personal details of young people.")
    embed_url = EmbedField(label="Embed a chart or table", max_length=500, required=False,
                           widget=forms.TextInput(attrs={**_INPUT, "spellcheck": "false"}), help_text=EMBED_HELP)


class HideForm(forms.Form):
    reason = forms.CharField(label="Why is this post hidden?", max_length=500,
                             widget=forms.Textarea(attrs={**_INPUT, "rows": 3}),
                             help_text="Kept in the audit log.")


class ResourceForm(forms.Form):
    file = forms.FileField(label="File", widget=forms.ClearableFileInput(attrs={"class": "ds_file-upload"}),
                           help_text="PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG. "
                           "Do not share files with personal details of young people.")
