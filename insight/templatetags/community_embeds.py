"""``{% community_embed post %}``: a community post's embed, assembled for the reader (insight.embeds).

A template tag, so the communities (partnerships, a lower layer) show insight's figures without
importing insight: the thread template loads this library by name.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from ..embeds import embed_for

register = template.Library()


@register.simple_tag(takes_context=True)
def community_embed(context: template.Context, post: Any) -> SafeString:
    request = context["request"]
    embed = embed_for(request, post.embed_url)
    if embed.table is not None:  # one page may embed the same table twice: ids stay unique
        embed.table = replace(embed.table, id=f"post{post.pk}-{embed.table.id}")
    return render_to_string("insight/includes/_embed.html", {"embed": embed, "post": post}, request=request)
