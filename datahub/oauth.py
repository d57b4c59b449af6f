"""OAuth2 for systems: the client credentials grant only, acting as the client's system account.

A partner system (a school MIS, the skills body's feed) is registered as an OAuth2 *application*
(django-oauth-toolkit) owned by a portal user, its *system account*: a user holding the roles the
system needs (for example data manager for one authority). The system asks ``/oauth/token/`` for
an access token with its client id and secret and calls ``/api/v1/`` with it. The token acts as
the system account, so the API's access policy (datahub.access, datahub.api_base) applies to it
exactly as to a person with those roles; a system can never reach further than its account.

Rules (ours): only confidential clients with the client credentials grant get tokens. The token
endpoint knows no other grant (``BackendApplicationServer``): no browser flows (``/oauth/authorize/``
is not served) and no password grant, which would skip the portal's sign-in, rate limits and MFA,
and would tell a caller whether a guessed password is right even when it issues no token; the owner must be an active user; tokens expire after an hour and carry the
single scope ``api``.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator


class SystemClientValidator(OAuth2Validator):
    def validate_grant_type(self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any,
                            **kwargs: Any) -> bool:
        if grant_type != "client_credentials":
            return False
        app = request.client
        if app is None or app.client_type != AbstractApplication.CLIENT_CONFIDENTIAL:
            return False
        owner = app.user
        if owner is None or not owner.is_active:
            return False
        return bool(super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs))

    # Second guard: were another grant ever wired in, it could not check a password, code or
    # refresh token here (the server class admits client credentials only, see settings).
    def validate_user(self, *args: Any, **kwargs: Any) -> bool:
        return False

    def validate_code(self, *args: Any, **kwargs: Any) -> bool:
        return False

    def validate_refresh_token(self, *args: Any, **kwargs: Any) -> bool:
        return False

    def _create_access_token(self, expires: Any, request: Any, token: Any, source_refresh_token: Any = None) -> Any:
        # django-oauth-toolkit stores client-credentials tokens without a user; ours act as the
        # client's system account, so the API knows whose roles and scope apply.
        request.user = request.client.user
        return super()._create_access_token(expires, request, token, source_refresh_token)
