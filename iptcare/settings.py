"""Settings for iptcare, read from the environment.

Development (the default, `DEBUG=1`): SQLite in the data folder, a secret key generated on first run and kept
in that folder, e-mail printed to the console. Production (`DEBUG=0`): refuses to start without `SECRET_KEY` and
`ALLOWED_HOSTS`, and turns on secure cookies, HSTS and the other transport headers.
"""

import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


_PERIODS = {"s": 1, "m": 60, "h": 3600}


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate limit "COUNT/PERIOD" (period like 30s, 15m, 1h) from the environment, as (count, seconds)."""
    value = os.environ.get(name) or default
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*", value)
    if not match or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"{name} must look like 30/15m (a count per period in s, m or h), not {value!r}.")
    return int(match.group(1)), int(match.group(2) or 1) * _PERIODS[match.group(3)]


DEBUG = env_bool("DEBUG", True)

# The data folder holds what must never be in git: the SQLite file and the generated secret key.
DATA_DIR = Path(os.environ.get("IPTCARE_DATA_DIR", BASE_DIR / "data"))


def _secret_key() -> str:
    from_env = os.environ.get("SECRET_KEY", "")
    if from_env:
        if len(from_env) < 50 or from_env.startswith("django-insecure"):
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
        return from_env
    if not DEBUG:
        raise ImproperlyConfigured("Production (DEBUG=0) needs a SECRET_KEY in the environment.")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production (DEBUG=0) needs ALLOWED_HOSTS, a comma-separated list of host names.")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "iptcare.accounts",
    "iptcare.audit",
    "iptcare.clients",
    "iptcare.measures",
    "iptcare.substance_use",
    "iptcare.ipt",
    "iptcare.therapy",
    "iptcare.plans",
    "iptcare.groups",
    "iptcare.portal",
    "iptcare.consent",
    "iptcare.release",
    "iptcare.encryption",
    "iptcare.counselling",
    "iptcare.emergency",
    "iptcare.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below) on every answer, static files included.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Spanish is for the client portal; staff pages stay in English whatever the browser prefers.
    "iptcare.portal.middleware.StaffPagesInEnglishMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "iptcare.audit.context.AuditOriginMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Messages before our own middleware, which tells people why they were signed out.
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session works only in the browser that signed in (staff and portal clients alike).
    "iptcare.accounts.middleware.SessionBindingMiddleware",
    "iptcare.accounts.middleware.IdleLogoutMiddleware",
    "iptcare.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes goes last so that it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iptcare.urls"
WSGI_APPLICATION = "iptcare.wsgi.application"

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
                "iptcare.accounts.context_processors.navigation",
            ],
        },
    },
]


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return {"default": dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "iptcare.sqlite3",
            "OPTIONS": {
                # WAL lets the pages read while a write is in progress; the busy timeout (seconds) makes a
                # second writer wait instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out user before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitations and resets are valid for three days

# Lock-out: five failures for the same account from the same address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "iptcare.accounts.views.locked_out"
# Sign-in ignores the case of the e-mail, so the failure count must too, or each spelling gets five more tries.
AXES_USERNAME_CALLABLE = "iptcare.accounts.views.lockout_username"
AXES_VERBOSE = False

# Idle log-off (HIPAA automatic log-off); minutes without a request.
IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 15)
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
OTP_TOTP_ISSUER = "iptcare"
# Export, consent revocation, role changes and security settings ask for the password again when it was last
# given longer ago than this (and for the second-factor code, for people who have one).
REAUTH_MAX_AGE_MINUTES = env_int("REAUTH_MAX_AGE_MINUTES", 5)

# Rate limits per scope as (count, seconds); each is overridable with RATE_LIMIT_<SCOPE>, e.g. RATE_LIMIT_LOGIN=30/15m.
# Keyed by the caller's address unless said otherwise; see iptcare/lib/ratelimit.py and docs/security.md.
RATE_LIMITS = {
    # Failed staff sign-ins from one address (axes also locks one account from one address after 5).
    "login": env_rate("RATE_LIMIT_LOGIN", "30/15m"),
    # Failed portal sign-ins from one address (each client account also locks after 5).
    "portal_login": env_rate("RATE_LIMIT_PORTAL_LOGIN", "30/15m"),
    # Password reset requests from one address, and for one e-mail address (keyed by the address typed).
    "password_reset": env_rate("RATE_LIMIT_PASSWORD_RESET", "10/1h"),
    "password_reset_email": env_rate("RATE_LIMIT_PASSWORD_RESET_EMAIL", "5/1h"),
    # Requests to password-reset and staff-invitation links from one address.
    "account_link": env_rate("RATE_LIMIT_ACCOUNT_LINK", "30/15m"),
    # Requests to self-report questionnaire links from one address.
    "self_report": env_rate("RATE_LIMIT_SELF_REPORT", "60/15m"),
    # Portal invitation links opened and one-time codes entered from one address.
    "portal_invitation": env_rate("RATE_LIMIT_PORTAL_INVITATION", "20/15m"),
    # Unknown calendar addresses asked for from one address; and requests for one calendar address.
    "calendar_feed": env_rate("RATE_LIMIT_CALENDAR_FEED", "20/15m"),
    "calendar_feed_token": env_rate("RATE_LIMIT_CALENDAR_FEED_TOKEN", "60/1h"),
    # API calls with an unknown, expired or revoked bearer token from one address.
    "api_token": env_rate("RATE_LIMIT_API_TOKEN", "30/15m"),
    # Wrong passwords or codes on the confirm-password page, per person.
    "reauthentication": env_rate("RATE_LIMIT_REAUTHENTICATION", "5/15m"),
}

# The default cache is local memory. Rate-limit counters have their own cache: local memory counts per process
# (its increments are atomic); with several worker processes or servers, point it at Redis or Memcached (and
# install that client) so that all of them share one count.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "iptcare-default"},
    "ratelimit": {
        "BACKEND": os.environ.get("RATE_LIMIT_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": os.environ.get("RATE_LIMIT_CACHE_LOCATION", "iptcare-ratelimit"),
    },
}

# Request bodies: no page or API call takes files, and no form needs more than a megabyte of text.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# No form takes files: a multipart request carrying any is refused (400). A future upload raises this on purpose.
DATA_UPLOAD_MAX_NUMBER_FILES = 0

LANGUAGE_CODE = "en"
# English, and Spanish for the client portal (locale/es); each client chooses theirs in the portal.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Production serves the output of `iptcare collectstatic`; development serves the source folders directly.
STATIC_ROOT = None if DEBUG else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "iptcare <no-reply@iptcare.test>")

# Headers that hold in every mode; the HTTPS-only ones follow below for production.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, fonts and frames from this site only; no inline script or
# style, no plugins, and no framing. Images also as data: URLs (favicon placeholders).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Page size for lists on pages and in the API.
PAGE_SIZE = 25
API_MAX_PAGE_SIZE = 100

# Logs go to the console only: never e-mailed (Django's error e-mails carry the whole request, form fields and
# all). Exception messages in logged tracebacks are withheld (iptcare/lib/logging.py), since they can quote record
# values; the type and the stack stay.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING"},
        "django": {"handlers": ["console"], "level": "INFO"},
    },
}
