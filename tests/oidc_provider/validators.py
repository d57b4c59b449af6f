"""The claims of an education account: e-mail (verified or not), given and family name."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

# Provider users in this group have an e-mail address the provider has not verified.
UNVERIFIED_GROUP = "email-unverified"
# Provider users in this group say they signed in with a second factor (amr claim).
MFA_GROUP = "signed-in-with-mfa"


class EducationClaimsValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        groups = set(user.groups.values_list("name", flat=True))
        return {
            "email": user.email,
            "email_verified": UNVERIFIED_GROUP not in groups,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "amr": ["pwd", "mfa"] if MFA_GROUP in groups else ["pwd"],
        }
