"""A real OpenID Connect provider for tests, run on loopback in its own process.

django-oauth-toolkit (already a portal dependency) with OIDC on: authorization code with PKCE,
RS256 ID tokens signed by a key made at test time, a plain login page, and the claims an education
identity provider gives (``email``, ``email_verified``, ``given_name``, ``family_name``). It has
its own settings, URLs and SQLite database in a temporary folder and shares nothing with the
portal. tests/oidc_provider/server.py starts it; tests/e2e/test_oidc_signin.py signs in through it.
"""
