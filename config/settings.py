"""One settings module for every machine; machines differ only by environment variables.

The variables are listed in README.md. Each has a local default, so `make run` works on a
fresh checkout with SQLite.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.headers import PUBLIC_CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean env var; refuse anything but true/false/1/0 instead of guessing."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be true, false, 1 or 0, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL into a DATABASES entry: sqlite:///path or postgres://user:pw@host:port/name."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path.db or sqlite:////absolute/path.db
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        # Persistent connections here too: opening SQLite and setting it up cost about a millisecond a request.
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / path),
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60),
        }
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


def cache_from_url(url: str) -> dict:
    """CACHE_URL → a CACHES entry: empty or locmem:// (this process's memory) or redis://host:port/db
    (Django's Redis backend; needs the `redis` package). The feedback rate limit counts there."""
    scheme = urlsplit(url).scheme
    if scheme in ("", "locmem"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yibao"}
    if scheme in ("redis", "rediss"):
        # Short timeouts: a Redis host that stops answering must not hold every request for seconds
        # (pages then render as if the cache were off; config/pagecache.py).
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    raise ImproperlyConfigured(f"CACHE_URL scheme {scheme!r} is not supported (use locmem:// or redis://)")


DEBUG = env_bool("DEBUG", False)
# The fallback key is for local runs and tests only; `manage.py check --deploy` flags it
# (it starts with "django-insecure"), and README says to set SECRET_KEY when deploying.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-local-only-yibao-guide-key-0123456789"
# Former keys, still accepted for checking signatures (preview links, sessions, password-reset links)
# while a rotation runs; new signatures use SECRET_KEY only. Space- or comma-separated (README).
SECRET_KEY_FALLBACKS = os.environ.get("SECRET_KEY_FALLBACKS", "").replace(",", " ").split()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The public address for canonical links, the sitemap, robots.txt and e-mails: set it in production,
# then no request's Host header decides them. Unset (a local run), pages name the address they were
# asked on, and e-mails the one `make run` serves, from its HOST and PORT (guides/siteurl.py).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
LOCAL_URL = f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"

INSTALLED_APPS = [
    "config.apps.YibaoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "simple_history",
    "import_export",
    "guides",
    "calculator",
    "config.apps.YibaoAxesConfig",  # django-axes: login lockout (README: Content staff)
    "django_otp",  # two-factor login for staff (README: Content staff, 两步验证)
    "config.apps.YibaoTOTPConfig",  # django_otp.plugins.otp_totp under a Chinese name
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.headers.SecurityHeadersMiddleware",  # Permissions-Policy; the admin's own CSP
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside whitenoise (static files come back before reaching these); GZip outermost of the rest so
    # it compresses the final body, ConditionalGet inside it so ETags are of the uncompressed body.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "config.caching.HttpCachingMiddleware",  # Cache-Control; an ETag that ignores the CSRF token
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Inside CSRF (a stored page's form gets each visitor's own token), before the rest of the stack.
    "config.pagecache.PageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): gave a code at login
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the 429 page
]

ROOT_URLCONF = "config.urls"

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
                "guides.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"))}
# Per process by default; with several app servers set CACHE_URL to a shared Redis so the
# feedback rate limit counts each visitor once, not once per process.
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", ""))}
# Anonymous public pages are kept this long at most (config/pagecache.py retires them at once when
# content changes, so this only bounds memory); 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login lockout (django-axes): 5 wrong passwords lock that account, and 5 from one address lock that
# address — each on its own — for 15 minutes; a successful login clears the count. Its backend
# comes first and refuses a locked-out attempt before any password is hashed, so a flood of guesses
# costs a database lookup each, not a hash. The address is the one the feedback rate limit uses.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # separate entries: either one locks
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "guides.feedback.client_address"  # REMOTE_ADDR unless BEHIND_HTTPS_PROXY
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"  # status 429 (AXES_HTTP_RESPONSE_CODE)
AXES_ENABLE_ADMIN = False  # its admin pages are English only; manage.py axes_list_attempts lists them

# Two-factor login (django-otp, TOTP): staff may turn it on (/admin/two-factor/); an account with it
# on gives a code after its password. With OTP_REQUIRED every staff account must turn it on before
# using the admin. The issuer is the name authenticator apps show beside the code.
OTP_REQUIRED = env_bool("OTP_REQUIRED", False)
OTP_TOTP_ISSUER = "医保办事指南"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Our translations of what Django and the admin libraries leave in English (`make messages`).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env_bool("PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
# HTTPS only: redirect plain HTTP, and tell browsers (HSTS) for this many seconds never to try it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a health check sent straight to an app server over HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)  # only with HSTS on
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CSP = PUBLIC_CSP  # strict on public pages; /admin/ gets config.headers.ADMIN_CSP
X_FRAME_OPTIONS = "DENY"  # /admin/ is SAMEORIGIN (config/headers.py): its preview sits in an iframe

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# A verified figure older than this is shown as 可能已过期 and listed for staff to re-check.
FIGURE_MAX_AGE_DAYS = env_int("FIGURE_MAX_AGE_DAYS", 365)
# Signed preview links for reviewers without an account expire after this many hours.
PREVIEW_LINK_HOURS = env_int("PREVIEW_LINK_HOURS", 72)
# An article not approved again within this many days is listed as due for periodic review.
ARTICLE_REVIEW_DAYS = env_int("ARTICLE_REVIEW_DAYS", 365)

# Workflow notices (submitted for review, approved, sent back), through Django's MAILERS: SMTP
# when EMAIL_HOST is set; the console in development; otherwise none.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "医保办事指南 <noreply@localhost>")
_email_host = os.environ.get("EMAIL_HOST", "")
if _email_host:
    _port = env_int("EMAIL_PORT", 587)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": _port,
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _port == 587,
                "use_ssl": _port == 465,
            },
        }
    }
elif DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}

# Feedback submissions accepted per visitor (client address, never stored) and hour.
FEEDBACK_PER_HOUR = env_int("FEEDBACK_PER_HOUR", 10)

SIMPLE_HISTORY_REVERT_DISABLED = False
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
CSRF_FAILURE_VIEW = "guides.views.errors.csrf_failure"  # keeps typed text on screen, in Chinese
