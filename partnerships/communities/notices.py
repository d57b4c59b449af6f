"""Community notices: in the portal (``CommunityNotice``, counted in the header's waiting count)
and by e-mail to those who keep "e-mail me about new posts in my communities of practice" on
(``User.email_community_posts``, Account settings > E-mail notices). E-mails go after commit;
the notice is what counts, mail is best effort. Nobody is told about their own post."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from datahub.links import absolute_url

from .models import CommunityMember, CommunityNotice, Post

log = logging.getLogger(__name__)
Message = tuple[str, str, None, list[str]]


def _send(messages: list[Message]) -> None:
    if not messages:
        return

    def go() -> None:
        try:
            send_mass_mail(messages, fail_silently=False)
        except OSError:
            log.exception("could not send %s community e-mail(s)", len(messages))

    transaction.on_commit(go)


def _mail(name: str, ctx: dict[str, Any], to: str) -> Message:
    subject = render_to_string(f"partnerships/communities/email/{name}_subject.txt", ctx).strip()
    body = render_to_string(f"partnerships/communities/email/{name}_body.txt", ctx)
    return (subject, body, None, [to])


def member_added(member: CommunityMember) -> None:
    c = member.community
    CommunityNotice.objects.create(recipient=member.user, community=c, text=f"You were added to the community {c.name}"[:300])
    ctx = {"community": c, "url": absolute_url(reverse("partnerships:community", args=[c.pk]))}
    if member.user.email_community_posts:
        _send([_mail("added", ctx, member.user.email)])


def posted(post: Post, *, new_thread: bool) -> int:
    """Tell every other member of the community; returns how many were told."""
    thread = post.thread
    c = thread.community
    who = post.author.get_full_name() or post.author.email if post.author else "Someone"
    text = (f"{who} started \u201c{thread.title}\u201d in {c.name}" if new_thread
            else f"{who} replied to \u201c{thread.title}\u201d in {c.name}")[:300]
    members = list(CommunityMember.objects.filter(community=c).exclude(user=post.author).select_related("user"))
    now = timezone.now()
    CommunityNotice.objects.bulk_create([CommunityNotice(recipient=m.user, community=c, thread=thread, text=text,
                                                         created_at=now) for m in members])
    ctx = {"community": c, "thread": thread, "text": text,
           "url": absolute_url(reverse("partnerships:community_thread", args=[c.pk, thread.pk]))}
    _send([_mail("posted", ctx, m.user.email) for m in members if m.user.email_community_posts and m.user.is_active])
    return len(members)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return CommunityNotice.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: Any, community_id: int, thread_id: int | None = None) -> None:
    qs = CommunityNotice.objects.filter(recipient=user, community_id=community_id, read_at__isnull=True)
    if thread_id is not None:
        qs = qs.filter(Q(thread_id=thread_id) | Q(thread__isnull=True))
    qs.update(read_at=timezone.now())
