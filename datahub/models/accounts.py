"""Accounts: people who sign in with their e-mail address."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models

# How a person wants partnership workspace notices e-mailed (partnerships.workspace.notices).
WORKSPACE_EMAIL_CHOICES = [("each", "Each time"), ("daily", "In one e-mail a day"), ("off", "Never")]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with their email address. What they may see comes from memberships."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    # E-mail notices the person may turn off (Account settings > E-mail notices). The same notices
    # always appear in the portal; partnership requests and answers are always e-mailed (they need
    # an answer), new figures only when this is on.
    email_new_figures = models.BooleanField(
        "e-mail me when new benchmarking figures are published for my school or authority",
        default=True,
        db_default=True,
    )
    email_community_posts = models.BooleanField(
        "e-mail me about new posts in my communities of practice",
        default=True,
        db_default=True,
    )

    # Partnership workspace activity (a partner's new action, meeting note or file; an action one
    # owns falling due): e-mailed each time, gathered in one e-mail a day, or not e-mailed.
    workspace_email = models.CharField(
        "e-mail about partnership workspace activity",
        max_length=5,
        choices=WORKSPACE_EMAIL_CHOICES,
        default="daily",
        db_default="daily",
    )

    # How many leaver years a dashboard's series show (Account settings > Dashboards): three by
    # default, five by choice, as Insight does.
    years_shown = models.PositiveSmallIntegerField(
        "years shown on dashboards", choices=[(3, "3 years"), (5, "5 years")], default=3, db_default=3,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # The stubs type AbstractUser.objects as django's username-first UserManager; ours is email-first.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email
