"""Create the provider's database, its users and the portal's client registration.

Run in the provider's own settings (``DJANGO_SETTINGS_MODULE=tests.oidc_provider.settings``) by
tests/oidc_provider/server.py, with ``OIDC_TEST_DIR/seed.json`` written beforehand.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import django


def main() -> None:
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    from tests.oidc_provider.validators import MFA_GROUP, UNVERIFIED_GROUP

    seed = json.loads((Path(os.environ["OIDC_TEST_DIR"]) / "seed.json").read_text())
    call_command("migrate", verbosity=0, interactive=False)
    Application.objects.create(
        name="Insight Portal (test)",
        client_id=seed["client_id"],
        client_secret=seed["client_secret"],  # hashed on save
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(seed["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    unverified, _ = Group.objects.get_or_create(name=UNVERIFIED_GROUP)
    with_mfa, _ = Group.objects.get_or_create(name=MFA_GROUP)
    for u in seed["users"]:
        user = User.objects.create_user(
            username=u["username"],
            email=u["email"],
            password=u["password"],
            first_name=u.get("given_name", ""),
            last_name=u.get("family_name", ""),
        )
        if not u.get("verified", True):
            user.groups.add(unverified)
        if u.get("mfa"):
            user.groups.add(with_mfa)


if __name__ == "__main__":
    main()
