"""civicloop settings: one file, read from the environment.

Every variable is documented in `.env.example`. Defaults are safe for the embedded tier
(SQLite in var/, one process); production differs only by environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import xstatic.pkg.leaflet

from civicloop.config import Config, ConfigError, secret_key_from

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("CIVICLOOP_HOME", Path.cwd())).resolve()

config = Config(BASE_DIR / ".env")

VAR_DIR = Path(config.string("CIVICLOOP_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = config.boolean("DEBUG", False)
SECRET_KEY = secret_key_from(VAR_DIR, config.raw("SECRET_KEY"))
ALLOWED_HOSTS = config.listing("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = config.listing("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ConfigError(f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, got {_origin!r}.")

INSTALLED_APPS = [
    "civicloop.core",
    "civicloop.accounts",
    "civicloop.reports",
    "civicloop.directory",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "civicloop.core.middleware.JurisdictionMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civicloop.urls"
WSGI_APPLICATION = "civicloop.wsgi.application"
ASGI_APPLICATION = "civicloop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicloop.core.context_processors.civicloop",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": config.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'civicloop.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web process read while the task worker writes; IMMEDIATE transactions
    # and a busy timeout make concurrent writers wait instead of failing with "locked".
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = config.integer("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Identity ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out client before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = config.string("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in ("mandatory", "optional", "none"):
    raise ConfigError(
        f"ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none, got {ACCOUNT_EMAIL_VERIFICATION!r}."
    )
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "civicloop.accounts.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/h/ip"}
SOCIALACCOUNT_ADAPTER = "civicloop.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_ONLY = False

# A national digital identity (Chile's ClaveÚnica, a state OIDC provider) is switched on
# by setting OIDC_SERVER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; nothing else changes.
_oidc = {
    "OIDC_SERVER_URL": config.string("OIDC_SERVER_URL", ""),
    "OIDC_CLIENT_ID": config.string("OIDC_CLIENT_ID", ""),
    "OIDC_CLIENT_SECRET": config.string("OIDC_CLIENT_SECRET", ""),
}
SOCIALACCOUNT_PROVIDERS: dict = {}
if any(_oidc.values()):
    _missing = [name for name, value in _oidc.items() if not value]
    if _missing:
        raise ConfigError(
            f"OpenID Connect is half-configured: set {', '.join(_missing)} too, "
            "or unset all OIDC_* variables to switch it off."
        )
    if not _oidc["OIDC_SERVER_URL"].startswith(("https://", "http://")):
        raise ConfigError(f"OIDC_SERVER_URL must be the provider's https:// address, got {_oidc['OIDC_SERVER_URL']!r}.")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": config.string("OIDC_PROVIDER_ID", "national-id"),
                "name": config.string("OIDC_PROVIDER_NAME", "National digital identity"),
                "client_id": _oidc["OIDC_CLIENT_ID"],
                "secret": _oidc["OIDC_CLIENT_SECRET"],
                "settings": {
                    "server_url": _oidc["OIDC_SERVER_URL"],
                    "scope": config.listing("OIDC_SCOPES", ["openid", "email", "profile"]),
                },
            }
        ],
    }

AXES_FAILURE_LIMIT = config.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = config.integer("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# allauth authenticates with email=…, not username=…: without this, axes would see no
# username and lock out everyone behind the same address (a whole carrier-grade NAT).
AXES_USERNAME_CALLABLE = "civicloop.accounts.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("id", "Bahasa Indonesia")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = config.time_zone("TIME_ZONE", "UTC")
LANGUAGE_COOKIE_NAME = "civicloop_language"

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Third-party browser assets come from installed packages (XStatic), never from a CDN or the repo.
STATICFILES_DIRS = [PACKAGE_DIR / "static", ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR)]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(config.string("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Cache ------------------------------------------------------------------------------------
# Shared by every process of one server (web workers and the task worker): files under var/.
# Several servers share one with CACHE_URL (e.g. a database cache or Redis that you run).
CACHES = {"default": config.cache("CACHE_URL", f"filecache://{VAR_DIR / 'cache'}")}

# --- E-mail --------------------------------------------------------------------------------
vars().update(config.email_url("EMAIL_URL", "consolemail://"))
DEFAULT_FROM_EMAIL = config.string("DEFAULT_FROM_EMAIL", "civicloop <no-reply@civicloop.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ---------------------------------------------------------------------
_tasks_backend = config.string("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if _tasks_backend not in _TASK_BACKENDS:
    raise ConfigError(f"TASKS_BACKEND must be 'database' or 'immediate', got {_tasks_backend!r}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend]}}
CIVICLOOP_WORKER_HEARTBEAT_SECONDS = config.integer("WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
CIVICLOOP_WORKER_STALE_SECONDS = config.integer("WORKER_STALE_SECONDS", 120, minimum=5)

# --- Reports --------------------------------------------------------------------------------
# The address used in links sent by e-mail. Empty: https://<the jurisdiction's domain> (http
# unless HTTPS is on). Set it where the jurisdiction's domain does not reach this server, e.g. a
# laptop running the demo: http://127.0.0.1:8000.
CIVICLOOP_SITE_URL = config.string("SITE_URL", "").rstrip("/")
# How long after a report is closed its reporter may still say "not fixed" and reopen it.
CIVICLOOP_REOPEN_WINDOW_DAYS = config.integer("REOPEN_WINDOW_DAYS", 28, minimum=0)
# Working hours an overdue report stays with the agency's manager before it goes to the supervisor.
CIVICLOOP_ESCALATION_GRACE_HOURS = config.integer("ESCALATION_GRACE_HOURS", 8, minimum=1)
# How often the worker looks for overdue reports to escalate.
CIVICLOOP_ESCALATION_INTERVAL_SECONDS = config.integer("ESCALATION_INTERVAL_SECONDS", 300, minimum=10)
# The agency performance page's figures are reused for this long (0: computed on every request);
# the worker recomputes the default pages on the same clock.
CIVICLOOP_PERFORMANCE_CACHE_SECONDS = config.integer("PERFORMANCE_CACHE_SECONDS", 300, minimum=0)
# Jobs the task worker runs on a clock: dotted path of a callable → seconds between runs.
CIVICLOOP_PERIODIC = {
    "civicloop.reports.services.escalation.report_escalate_overdue": CIVICLOOP_ESCALATION_INTERVAL_SECONDS,
    "civicloop.reports.services.performance.performance_rollup_refresh": 60,
}
if CIVICLOOP_PERFORMANCE_CACHE_SECONDS:
    CIVICLOOP_PERIODIC["civicloop.reports.selectors.performance.performance_cache_warm"] = (
        CIVICLOOP_PERFORMANCE_CACHE_SECONDS
    )
# Photos: the largest upload accepted, and how many per report.
CIVICLOOP_PHOTO_MAX_BYTES = config.integer("PHOTO_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
CIVICLOOP_PHOTOS_PER_REPORT = config.integer("PHOTOS_PER_REPORT", 3, minimum=0)
# Map tiles for the optional JavaScript map. Empty (the default): no tiles are fetched and the map
# draws the jurisdiction's areas only. Set a URL template to use a tile server you run or may use.
CIVICLOOP_MAP_TILES_URL = config.string("MAP_TILES_URL", "")
CIVICLOOP_MAP_TILES_ATTRIBUTION = config.string("MAP_TILES_ATTRIBUTION", "")

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_behind_tls = config.boolean("HTTPS", False)
SESSION_COOKIE_SECURE = _behind_tls
CSRF_COOKIE_SECURE = _behind_tls
if _behind_tls:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = config.integer("HSTS_SECONDS", 31536000, minimum=0)

# --- civicloop ------------------------------------------------------------------------------
CIVICLOOP_DEFAULT_JURISDICTION = config.string("DEFAULT_JURISDICTION", "")
CIVICLOOP_SITE_NAME = config.string("SITE_NAME", "civicloop")

LOG_LEVEL = config.string("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ConfigError(f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
