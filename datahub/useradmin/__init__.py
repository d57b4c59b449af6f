"""User administration: invite people, grant and revoke roles within a user administrator's scope.

Roles grant access to children's records, so this is the only way they change (the Django admin shows
memberships read-only). The rules are the access policy's (datahub.access: user_admin_scope,
grant_refusal, revoke_refusal); every grant and revocation is audited and e-mailed to the person.
"""
