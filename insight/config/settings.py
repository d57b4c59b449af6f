"""Settings for Insight Portal, read strictly from the environment.

With no variables set this is the *embedded default*: a SQLite file next to the project and Celery
tasks run in-process, so `make run` needs nothing but Python. Set DATABASE_URL (PostgreSQL) and
CELERY_BROKER_URL (Redis) to run as in production. DJANGO_ENV=production switches on the deploy
hardening; `manage.py check --deploy` is then clean when a secret key and hosts are given.
Every variable is documented in `.env.example`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
ENV_FILE = BASE_DIR / ".env"
if ENV_FILE.exists():
    environ.Env.read_env(ENV_FILE)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production")

if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: fails loudly when missing
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters of varied text")
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-use-in-production-0123456789abcdef"
    )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "rest_framework",
    "rest_framework.authtoken",
    "oauth2_provider",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "datahub",
    "destinations",
    "partnerships",
    "insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "datahub.middleware.RequireMFAMiddleware",
    "datahub.middleware.ActiveMembershipMiddleware",
]

if PRODUCTION:
    # Serves collected static files from gunicorn; in development runserver serves them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

# Content-Security-Policy (django-csp): scripts only from our own origin, never inline, so an
# injected <script> cannot run. Styles allow inline because the API docs' renderers (Swagger UI,
# ReDoc) and Chart.js set style attributes; our own templates carry no inline style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "insight.config.urls"
WSGI_APPLICATION = "insight.config.wsgi.application"
ASGI_APPLICATION = "insight.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "insight.nav.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Embedded default: SQLite. DATABASE_URL=postgres://... selects PostgreSQL through psycopg 3.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a benchmark run writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["timeout"] = 30
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "datahub.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Accounts (django-allauth) --------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "datahub.adapters.PortalAccountAdapter"  # accounts are provisioned, not self-made
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    # "key" is the account at one client address (datahub.adapters): nobody elsewhere can lock a user out.
    "login_failed": env.str("LOGIN_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
}
# Guessing one account from many addresses: after this many failures in 15 minutes every attempt on
# the account waits a growing delay (right password or wrong; the right one still signs in).
SIGNIN_DELAY_AFTER_FAILURES = env.int("SIGNIN_DELAY_AFTER_FAILURES", default=10)
SIGNIN_DELAY_STEP_SECONDS = env.float("SIGNIN_DELAY_STEP_SECONDS", default=0.5)
SIGNIN_DELAY_MAX_SECONDS = env.float("SIGNIN_DELAY_MAX_SECONDS", default=5.0)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Insight Portal"
# Roles that must set up TOTP before doing anything else (see datahub.middleware.RequireMFAMiddleware).
MFA_REQUIRED_FOR_ADMINS = env.bool("MFA_REQUIRED_FOR_ADMINS", default=PRODUCTION)

# --- Single sign-on (OpenID Connect, e.g. the education identity provider) ------------------
# Configured per deployment; with OIDC_SERVER_URL unset there is no SSO button and nothing changes.
# A sign-in through the provider reaches an account only when the provider vouches for the e-mail
# address (email_verified) and it is an invited portal user's (datahub.adapters): no sign-up, roles
# are granted in the portal only, and MFA_REQUIRED_FOR_ADMINS roles still use the portal's TOTP.
SOCIALACCOUNT_ADAPTER = "datahub.adapters.PortalSocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking is the adapter's rule, not allauth's e-mail matching
SOCIALACCOUNT_STORE_TOKENS = False  # the provider's tokens are not needed after sign-in
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
OIDC_SERVER_URL = env.str("OIDC_SERVER_URL", default="").rstrip("/")
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
if OIDC_SERVER_URL:
    if PRODUCTION and not OIDC_SERVER_URL.startswith("https://"):
        raise ImproperlyConfigured("OIDC_SERVER_URL must be an https:// address when DJANGO_ENV=production")
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": env.str("OIDC_PROVIDER_ID", default="education"),
            "name": env.str("OIDC_PROVIDER_NAME", default="Education account (Glow)"),
            "client_id": env.str("OIDC_CLIENT_ID"),  # no default: fails loudly when missing
            "secret": env.str("OIDC_CLIENT_SECRET"),
            "settings": {"server_url": OIDC_SERVER_URL, "oauth_pkce_enabled": True},
        }
    ]
    # "Sign in with ..." posts to the portal, which redirects to the provider: Chromium applies
    # form-action to that redirect too, so the provider's origin must be allowed there.
    _oidc_origin = "/".join(OIDC_SERVER_URL.split("/")[:3])
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
        "'self'",
        _oidc_origin,
        *env.list("OIDC_FORM_ACTION_ORIGINS", default=[]),  # if its login page is elsewhere
    ]

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Insight Portal <no-reply@insight.invalid>")
if "EMAIL_URL" in env.ENVIRON:
    vars().update(env.email_url("EMAIL_URL"))

# --- Cache ----------------------------------------------------------------------------------
# `make test` runs pytest in parallel (pytest-xdist, scripts/test.sh): each test worker process
# (PYTEST_XDIST_WORKER=gw0, gw1...) gets Redis databases of its own, two up from the next worker's,
# so one worker's cache.clear() (FLUSHDB), throttles and Celery queues never meet another's. Worker
# processes a test starts inherit the variable and so land on the same databases. Test runs only.
_TEST_WORKER = env.str("PYTEST_XDIST_WORKER", default="") if DJANGO_ENV == "test" else ""


def _redis_for_test_worker(url: str) -> str:
    if not (_TEST_WORKER.startswith("gw") and url.startswith(("redis://", "rediss://"))):
        return url
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0) + 2 * (int(_TEST_WORKER.removeprefix("gw")) + 1)
    return urlunsplit(parts._replace(path=f"/{db}"))


REDIS_URL = _redis_for_test_worker(env.str("REDIS_URL", default=""))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
# The design system comes from npm at set-up (package.json); node_modules is never committed.
SG_DESIGN_SYSTEM_DIR = BASE_DIR / "node_modules" / "@scottish-government" / "design-system" / "dist"
if SG_DESIGN_SYSTEM_DIR.exists():
    STATICFILES_DIRS.append(("sgds", SG_DESIGN_SYSTEM_DIR))
elif PRODUCTION:
    raise ImproperlyConfigured(f"The design system is missing ({SG_DESIGN_SYSTEM_DIR}): run `npm ci` first")
STATICFILES_DIRS += [("chartjs", d) for d in [BASE_DIR / "node_modules" / "chart.js" / "dist"] if d.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Partnership workspaces' shared files (partnerships/workspace/files.py, README "Partnership
# workspace"): the largest file, and the dotted path of a virus scanner called before saving.
PARTNERSHIP_FILE_MAX_BYTES = env.int("PARTNERSHIP_FILE_MAX_BYTES", default=10 * 1024 * 1024)
PARTNERSHIP_FILE_SCANNER = env.str("PARTNERSHIP_FILE_SCANNER", default="")

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"user": "2000/hour", "anon": "60/hour"},
}
# OAuth2 for systems (datahub/oauth.py): client credentials only, tokens act as the client's
# system account. Applications are registered in the Django admin by a superuser.
OAUTH2_PROVIDER = {
    # Only the client credentials grant exists: any other grant is "unsupported" before anything
    # (a user's password, a code) is even looked at.
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.BackendApplicationServer",
    "OAUTH2_VALIDATOR_CLASS": "datahub.oauth.SystemClientValidator",
    "SCOPES": {"api": "Use the integration API as the client's system account"},
    "DEFAULT_SCOPES": ["api"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OAUTH2_ACCESS_TOKEN_SECONDS", default=3600),
    # RFC 9700 (OAuth 2.0 Security Best Current Practice): tokens stored hashed, never read from a
    # query string; no implicit or password grant, no "plain" PKCE, https redirects only, refresh
    # replay revokes the family. Most concern browser flows we do not serve; on they stay off for good.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Insight Portal API",
    "DESCRIPTION": "Integration API for schools, authorities and partner systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "OAUTH2_FLOWS": ["clientCredentials"],
    "OAUTH2_TOKEN_URL": "/oauth/token/",
    "OAUTH2_SCOPES": {"api": "Use the integration API as the client's system account"},
    "ENUM_NAME_OVERRIDES": {
        "PartnershipStatusEnum": "partnerships.models.Status",
        "ParticipationStatusEnum": "destinations.classification.ParticipationStatus",
        "ImportStatusEnum": "datahub.models.ImportStatus",
        "OfferKindEnum": "destinations.pathways.models.OfferKind",
        "OfferStatusEnum": "destinations.pathways.models.OfferStatus",
        "PathwaySourceEnum": "destinations.pathways.models.PathwaySource",
        "DestinationKindEnum": "destinations.models.DestinationKind",
        "DestinationSourceEnum": "destinations.models.Source",
        "PartnershipGroupStatusEnum": "partnerships.groups.models.GroupStatus",
        "PartnershipGroupMemberStatusEnum": "partnerships.groups.models.MemberStatus",
    },
}

# --- Celery ---------------------------------------------------------------------------------
# Embedded default: no broker, tasks run in-process (eager). CELERY_BROKER_URL=redis://... uses
# real workers; the heavy benchmark tasks go to their own "benchmarking" queue.
CELERY_BROKER_URL = _redis_for_test_worker(env.str("CELERY_BROKER_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = (_redis_for_test_worker(env.str("CELERY_RESULT_BACKEND")) if "CELERY_RESULT_BACKEND" in env.ENVIRON
                         else CELERY_BROKER_URL or None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"insight.tasks.*": {"queue": "benchmarking"}}
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Re-queue benchmark chunks whose worker died (lease expired) and finalise runs that are ready.
    "reap-stuck-benchmark-runs": {"task": "insight.tasks.reap_stuck_runs", "schedule": 60.0},
    # Queue again imports whose worker died or whose queued message was lost; fail those out of attempts.
    "reap-stale-imports": {"task": "datahub.tasks.reap_stale_imports", "schedule": 60.0},
    # Rebuild the MCMC caseload's derived table nightly (catches learners who moved authority).
    "refresh-mcmc-cases": {"task": "destinations.tasks.refresh_cases", "schedule": crontab(hour=2, minute=30)},
    # Start a draft benchmark run when imports changed the data since the newest run (only when
    # BENCHMARK_NIGHTLY_DRAFT_RUN is on). It never publishes: a national data manager does.
    "nightly-draft-benchmark-run": {"task": "insight.tasks.nightly_draft_run", "schedule": crontab(hour=3, minute=15)},
    # Remind owners of partnership workspace actions due within a week (once per due date).
    "workspace-actions-due": {"task": "partnerships.workspace_actions_due", "schedule": crontab(hour=7, minute=0)},
    # After the reminders, so an action falling due today is in the same morning's digest.
    "workspace-digest": {"task": "partnerships.workspace_digest", "schedule": crontab(hour=7, minute=10)},
}
BENCHMARK_NIGHTLY_DRAFT_RUN = env.bool("BENCHMARK_NIGHTLY_DRAFT_RUN", default=False)
BENCHMARK_CHUNK_LEASE_SECONDS = env.int("BENCHMARK_CHUNK_LEASE_SECONDS", default=900)
# Test-only fault injection: a worker sleeps this long after claiming a chunk (see tests/insight).
BENCHMARK_FAULT_PAUSE_SECONDS = env.float("BENCHMARK_FAULT_PAUSE_SECONDS", default=0.0)
# ... this long inside a chunk's write transaction (its frames written, not committed) ...
BENCHMARK_FAULT_CHUNK_WRITE_PAUSE_SECONDS = env.float("BENCHMARK_FAULT_CHUNK_WRITE_PAUSE_SECONDS", default=0.0)
# ... and this long inside finalise's write transaction, the results written but not committed.
BENCHMARK_FAULT_FINALISE_PAUSE_SECONDS = env.float("BENCHMARK_FAULT_FINALISE_PAUSE_SECONDS", default=0.0)
# A finalising run's lease: past finalise's hard time limit (960 s), so a live finaliser is never
# taken over; when its worker dies, the reaper lets another finalise the run after this.
BENCHMARK_FINALISE_LEASE_SECONDS = env.int("BENCHMARK_FINALISE_LEASE_SECONDS", default=1020)

# --- Portal ---------------------------------------------------------------------------------
# Imports: files over this size run in the background (Celery) with a progress bar; larger than
# the maximum are refused; the API's bulk endpoints take at most this many rows per request.
IMPORT_BACKGROUND_THRESHOLD_BYTES = env.int("IMPORT_BACKGROUND_THRESHOLD_BYTES", default=2_000_000)
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=300_000_000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=1_048_575)
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", default=2_000_000_000)
IMPORT_EAGER_IN_THREAD = env.bool("IMPORT_EAGER_IN_THREAD", default=True)
IMPORT_API_MAX_ROWS = env.int("IMPORT_API_MAX_ROWS", default=10_000)
# A running import's lease, renewed by its worker every third of it (PostgreSQL); when it runs out
# (the worker died) the reaper queues the batch again, up to IMPORT_MAX_ATTEMPTS in all.
IMPORT_LEASE_SECONDS = env.int("IMPORT_LEASE_SECONDS", default=120)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)
# Test-only fault injection: an import pauses this long inside its write transaction (tests/faults).
IMPORT_FAULT_PAUSE_SECONDS = env.float("IMPORT_FAULT_PAUSE_SECONDS", default=0.0)
# The portal's public address, for links in e-mails (e.g. https://insight.example.gov.scot).
# Unset: http://127.0.0.1:8000 (make run), or https:// and the first allowed host in production.
PORTAL_BASE_URL = env.str(
    "PORTAL_BASE_URL", default=f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")
# Counts under this are suppressed for viewers not entitled to see them (disclosure control).
DISCLOSURE_MIN_COUNT = env.int("DISCLOSURE_MIN_COUNT", default=5)
# Published reference data (school contact list, SIMD): the folder `make run` and the reference
# data page load from. Default: ../shared/data beside the project when that folder exists.
_SHARED_DATA = BASE_DIR.parent / "shared" / "data"
REFERENCE_DATA_DIR = env.str("REFERENCE_DATA_DIR", default=str(_SHARED_DATA) if _SHARED_DATA.is_dir() else "")
# Where people report an accessibility problem (shown in the accessibility statement).
ACCESSIBILITY_CONTACT_EMAIL = env.str("ACCESSIBILITY_CONTACT_EMAIL", default="accessibility@insight.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint (the Summary PDF) logs each layout step at INFO; its warnings still show.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
