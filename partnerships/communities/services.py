"""Writes for communities of practice: each checks access, is audited (``community_*``) and tells
the members concerned (partnerships.communities.notices)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from datahub.models import LocalAuthority, User
from datahub.services import audit_event_create

from ..workspace.files import FileRefused, file_check
from . import access, notices
from .embeds import EmbedRefused, embed_clean
from .models import MAX_POST, Community, CommunityMember, CommunityNotice, Post, Resource, Thread


class CommunityError(Exception):
    """The request cannot be carried out as asked; the message says why, ``field`` names the field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _audit(by: User, verb: str, community: Community, **detail: Any) -> None:
    audit_event_create(actor=by, action=f"community_{verb}", object_type="community", object_id=community.pk,
                       authority=community.authority, detail=detail)


def _text(value: str, label: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise CommunityError(f"Enter {label}.", field)
    if len(value) > limit:
        raise CommunityError(f"{label[0].upper()}{label[1:]} must be at most {limit:,} characters.", field)
    return value


def _embed(url: str) -> str:
    try:
        return embed_clean(url or "")
    except EmbedRefused as exc:
        raise CommunityError(str(exc), "embed_url") from None


@transaction.atomic
def community_create(*, by: User, name: str, purpose: str = "", authority: LocalAuthority | None = None) -> Community:
    """An authority's data manager (for their authority) or a national one (authority None) creates it
    and becomes its first admin."""
    national, authorities = access.creator_authorities(by)
    if authority is None and not national:
        if len(authorities) != 1:
            raise PermissionDenied("Only authority and national data managers may create communities.")
        authority = authorities[0]
    if authority is not None and authority.pk not in {a.pk for a in authorities} and not national:
        raise PermissionDenied("You may create communities for your own authority only.")
    community = Community.objects.create(name=_text(name, "a name", "name", 150),
                                         purpose=(purpose or "").strip()[:2000], authority=authority, created_by=by)
    CommunityMember.objects.create(community=community, user=by, is_admin=True, added_by=by)
    _audit(by, "create", community, name=community.name)
    return community


@transaction.atomic
def community_member_add(*, by: User, community: Community, email: str, is_admin: bool = False) -> CommunityMember:
    """A community admin adds a person by their e-mail address (someone with a role in the portal,
    or a member of a partner organisation)."""
    access.require_admin(by, community)
    person = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if person is None or not access.may_join_communities(person):
        raise CommunityError("No one with a role in the portal has that e-mail address.", "email")
    try:
        with transaction.atomic():
            member = CommunityMember.objects.create(community=community, user=person, is_admin=is_admin, added_by=by)
    except IntegrityError:
        raise CommunityError(f"{person.email} is already a member.", "email") from None
    _audit(by, "member_add", community, user=person.email, admin=is_admin)
    notices.member_added(member)
    return member


def _gone(member: CommunityMember) -> None:
    """Drop the membership and the person's notices of the community (nothing more about it reaches
    them, in the portal or the digest); their posts and files stay, as part of the discussion."""
    CommunityNotice.objects.filter(recipient=member.user, community=member.community).delete()
    member.delete()


def _keeps_a_manager(community: Community, leaving: CommunityMember) -> None:
    if leaving.is_admin and not community.members.filter(is_admin=True).exclude(pk=leaving.pk).exists():
        raise CommunityError("The community needs another admin first: make someone else an admin.", "member")


@transaction.atomic
def community_member_remove(*, by: User, community: Community, member: CommunityMember) -> None:
    """A community manager (one of its admins: its creator or those made admins) removes another
    member, admins included (the remover stays an admin); the person then gets "not found" for the
    community and everything in it."""
    access.require_admin(by, community)
    if member.community_id != community.pk:
        raise CommunityError("No such member of this community.", "member")
    if member.user_id == by.pk:
        raise CommunityError("To leave the community yourself, use Leave this community.", "member")
    email = member.user.email
    _gone(member)
    _audit(by, "member_remove", community, user=email)


@transaction.atomic
def community_leave(*, by: User, community: Community) -> None:
    """A member leaves (the last admin must first make someone else an admin)."""
    access.community_for(by, community.pk)  # members only (404)
    member = CommunityMember.objects.select_for_update().get(community=community, user=by)
    _keeps_a_manager(community, member)
    _gone(member)
    _audit(by, "member_leave", community, user=by.email)


@transaction.atomic
def thread_start(*, by: User, community: Community, title: str, body: str, embed_url: str = "") -> Thread:
    access.community_for(by, community.pk)  # members only (404)
    title = _text(title, "a title", "title", 200)
    body = _text(body, "your post", "body", MAX_POST)
    embed = _embed(embed_url)
    now = timezone.now()
    thread = Thread.objects.create(community=community, title=title, started_by=by, created_at=now, last_post_at=now)
    post = Post.objects.create(thread=thread, author=by, body=body, embed_url=embed, created_at=now)
    _audit(by, "thread_start", community, thread=thread.pk, post=post.pk, embed=embed)
    notices.posted(post, new_thread=True)
    return thread


@transaction.atomic
def post_reply(*, by: User, thread: Thread, body: str, embed_url: str = "") -> Post:
    access.community_for(by, thread.community_id)
    body = _text(body, "your reply", "body", MAX_POST)
    embed = _embed(embed_url)
    post = Post.objects.create(thread=thread, author=by, body=body, embed_url=embed)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=post.created_at)
    _audit(by, "post_reply", thread.community, thread=thread.pk, post=post.pk, embed=embed)
    notices.posted(post, new_thread=False)
    return post


@transaction.atomic
def post_hide(*, by: User, post: Post, reason: str) -> Post:
    """A community admin hides a post (kept, shown to nobody as text; the audit log keeps who and why)."""
    community = post.thread.community
    access.require_admin(by, community)
    reason = _text(reason, "why the post is hidden", "reason", 500)
    post.hidden_at, post.hidden_by, post.hidden_reason = timezone.now(), by, reason
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _audit(by, "post_hide", community, thread=post.thread_id, post=post.pk, reason=reason)
    return post


@transaction.atomic
def resource_add(*, by: User, community: Community, upload: UploadedFile | None) -> Resource:
    """Share a file: the partnership workspace's size and type limits and virus-scan hook apply."""
    access.community_for(by, community.pk)
    if upload is None:
        raise CommunityError("Choose a file to share.", "file")
    try:
        checked = file_check(upload)
    except FileRefused as exc:
        raise CommunityError(str(exc), "file") from None
    row = Resource(community=community, token=secrets.token_hex(16), name=checked.name,
                   content_type=checked.content_type, size=checked.size, scanned=checked.scanned, uploaded_by=by)
    row.file.save(row.token, upload, save=False)
    stored, storage = row.file.name, row.file.storage
    try:
        row.save()
        _audit(by, "resource_add", community, file=row.token, size=checked.size, type=checked.content_type)
    except Exception:
        storage.delete(stored)
        raise
    return row
