"""Settings of the loopback OpenID Connect provider (tests only; never part of the portal).

Everything it keeps lives in OIDC_TEST_DIR: ``db.sqlite3`` and ``key.pem`` (an RSA key the test
made; see tests/oidc_provider/server.py).
"""

from __future__ import annotations

import os
from pathlib import Path

STATE_DIR = Path(os.environ["OIDC_TEST_DIR"])

SECRET_KEY = "loopback-oidc-provider-for-tests-only-" + "x" * 20
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.oidc_provider.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": STATE_DIR / "db.sqlite3"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; test users only
LOGIN_URL = "/login/"

_key_file = STATE_DIR / "key.pem"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _key_file.read_text() if _key_file.exists() else "",
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validators.EducationClaimsValidator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "Name", "email": "E-mail address"},
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http"],  # loopback only
}
# The portal under test may share the host name (cookies ignore ports): keep the cookies apart.
SESSION_COOKIE_NAME = "loopback_idp_session"
CSRF_COOKIE_NAME = "loopback_idp_csrftoken"
