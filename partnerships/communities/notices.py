"""Community notices: in the portal (``CommunityNotice``, counted in the header's waiting count)
and by e-mail. New threads and replies are e-mailed as each member chose for their workspaces
(``User.workspace_email``, Account settings > E-mail notices): *each time* at once, *one e-mail a day*
in the daily workspace digest (``digest_sections``, called by partnerships.workspace.notices.digest_send),
*never* not at all; unticking "e-mail me about new threads and replies in my communities of practice"
(``User.email_community_posts``) stops community e-mail whatever the workspace choice.
``CommunityNotice.emailed_at`` records that a notice went out, so nothing is e-mailed twice; a notice
read in the portal before the digest is left out of it. E-mails go after commit; the notice is what
counts, mail is best effort. Nobody is told about their own post."""

from __future__ import annotations

import datetime as dt
import logging
from itertools import groupby
from typing import Any

from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from datahub.links import absolute_url
from datahub.models import User

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
    by_mail = _wants_mail(member.user) and member.user.workspace_email != "off"
    CommunityNotice.objects.create(recipient=member.user, community=c, text=f"You were added to the community {c.name}"[:300],
                                   emailed_at=timezone.now() if by_mail else None)
    ctx = {"community": c, "url": absolute_url(reverse("partnerships:community", args=[c.pk]))}
    if by_mail:
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
    at_once = {m.user.pk for m in members if _wants_mail(m.user) and m.user.workspace_email == "each"}
    CommunityNotice.objects.bulk_create([CommunityNotice(recipient=m.user, community=c, thread=thread, text=text,
                                                         created_at=now, emailed_at=now if m.user.pk in at_once else None)
                                         for m in members])
    ctx = {"community": c, "thread": thread, "text": text,
           "url": absolute_url(reverse("partnerships:community_thread", args=[c.pk, thread.pk]))}
    _send([_mail("posted", ctx, m.user.email) for m in members if m.user.pk in at_once])
    return len(members)


def _wants_mail(user: User) -> bool:
    return bool(user.email) and user.is_active and user.email_community_posts


def digest_sections(*, now: dt.datetime) -> dict[int, tuple[User, list[dict[str, Any]]]]:
    """For each person who chose one e-mail a day: their community notices of new threads and
    replies not yet read nor e-mailed, one section per community (oldest first), marked e-mailed.
    Call inside the digest's transaction (the rows are locked until it commits)."""
    pending = list(
        CommunityNotice.objects.select_for_update(of=("self",))
        .filter(thread__isnull=False, read_at__isnull=True, emailed_at__isnull=True, created_at__lte=now,
                recipient__is_active=True, recipient__workspace_email="daily", recipient__email_community_posts=True)
        .exclude(recipient__email="")
        .select_related("recipient", "community")
        .order_by("recipient_id", "community_id", "created_at", "id")
    )
    out: dict[int, tuple[User, list[dict[str, Any]]]] = {}
    for uid, of_person in groupby(pending, key=lambda n: n.recipient_id):
        items = list(of_person)
        sections = []
        for _, of_one in groupby(items, key=lambda n: n.community_id):
            rows = list(of_one)
            sections.append({"name": f"Community: {rows[0].community.name}",
                             "link": absolute_url(reverse("partnerships:community", args=[rows[0].community_id])),
                             "notices": [n.text for n in rows]})
        out[uid] = (items[0].recipient, sections)
    CommunityNotice.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    return out


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return CommunityNotice.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: Any, community_id: int, thread_id: int | None = None) -> None:
    qs = CommunityNotice.objects.filter(recipient=user, community_id=community_id, read_at__isnull=True)
    if thread_id is not None:
        qs = qs.filter(Q(thread_id=thread_id) | Q(thread__isnull=True))
    qs.update(read_at=timezone.now())
