"""Settings of the JWCU registry, read from the environment (see .env.example)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    LANGUAGE_CODE=(str, "ja"),
    LOG_LEVEL=(str, "INFO"),
)
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env (see .env.example); "
            "only DEBUG=true runs with a development key."
        )
    SECRET_KEY = "django-insecure-development-key-not-for-production"

if not DEBUG and not env("ALLOWED_HOSTS", default=None, cast=str):
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set: name the host names the registry serves (see .env.example).")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

# Served over HTTPS behind a TLS-terminating proxy: what `manage.py check --deploy` asks for.
HTTPS = env.bool("HTTPS", default=False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "jwcu",
    "members",
    "businesses",
    "reports",
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
    "simple_history.middleware.HistoryRequestMiddleware",
    "jwcu.audit.ChannelMiddleware",
    # Last, as django-axes asks: locks out repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

# Sign-in is throttled against guessing: after AXES_FAILURE_LIMIT failures for one user name from
# one address, sign-in is refused for AXES_COOLOFF_HOURS (staff pages and admin alike).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"

ROOT_URLCONF = "jwcu.urls"
WSGI_APPLICATION = "jwcu.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# PostgreSQL only. Without DATABASE_URL, manage.py and the test suite start the embedded
# server under .pgdata/ and set DATABASE_URL before these settings are read.
if not env("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Run through manage.py (which starts the embedded PostgreSQL "
        "under .pgdata/) or set DATABASE_URL=postgres://USER@HOST:PORT/NAME."
    )
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("The registry runs on PostgreSQL only; DATABASE_URL must be postgres://…")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_jwcu")}
# A streaming replica of the primary: the dashboards, statistics and API reads go there, unless
# the request wrote or follows a write (jwcu/db_router.py). Without it everything uses the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be postgres://… like DATABASE_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["jwcu.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "jwcu.db_router.ReplicaRoutingMiddleware",
    )
# No JIT compilation: the registry's statements are short, and a plan whose estimate is large
# (correlated subqueries of the annual report, a just-imported table not yet analysed) would
# spend about half a second compiling for a statement that runs in milliseconds.
for _database in DATABASES.values():
    _options = _database.setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE_CODE")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATIC_FILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# The cache holds the API clients' request counts (throttling). CACHE_URL=redis://HOST:6379/1 shares
# them between every server process; without it each process keeps its own counts in memory.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The REST API (jwcu/api/): its views set their own authentication, permission and throttle.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["jwcu.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["jwcu.api.parsers.JSONBodyParser"],
    "DEFAULT_SCHEMA_CLASS": "jwcu.api.schema.RegistrySchema",
    "EXCEPTION_HANDLER": "jwcu.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"api_client": env("API_THROTTLE_RATE", default="1200/min")},
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "JWCU Registry API",
    "DESCRIPTION": "Records and statistics of the registry for regional offices. "
    'Send Authorization: Bearer TOKEN; errors are {"errors": [{"field", "reason"}]}.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LeaveReasonEnum": "members.models.LeaveReason",
        "SocietyKindEnum": "members.models.SocietyKind",
        "ProgrammeKindEnum": "businesses.models.ProgrammeKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jwcu.api.schema.query_values_not_blank",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Years a departed member's personal fields are kept before an administrator may anonymise them.
MEMBER_RETENTION_YEARS = env.int("MEMBER_RETENTION_YEARS", default=5)

# Background work (jwcu.queue): tasks queued in this database, run by `manage.py db_worker` (as many
# workers, on as many machines, as needed) and scheduled by `manage.py run_scheduler`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Finished tasks are deleted after this many days (their rows hold ids and errors, no personal data).
TASK_RETENTION_DAYS = env.int("TASK_RETENTION_DAYS", default=30)

# Import pages (members, business centers): an uploaded file is stored as an ImportJob, checked,
# then imported once confirmed, by a task (jwcu.import_jobs.import_job_run), so the page can poll its
# progress. The job's row records progress at most every IMPORT_PROGRESS_SECONDS; a running job
# without a sign of work for IMPORT_JOB_STALE_SECONDS (its worker was restarted or killed) is
# marked failed, and, the import being one transaction, nothing of it is written. A checked file
# waits IMPORT_CONFIRM_HOURS for its confirmation.
IMPORT_JOB_STALE_SECONDS = env.int("IMPORT_JOB_STALE_SECONDS", default=120)
IMPORT_PROGRESS_SECONDS = env.float("IMPORT_PROGRESS_SECONDS", default=0.5)
IMPORT_CONFIRM_HOURS = env.int("IMPORT_CONFIRM_HOURS", default=24)
# Finished import jobs (their problems and first rows quote the file's cells) are deleted after
# this many days (jwcu.import_jobs.import_jobs_purge).
IMPORT_JOB_RETENTION_DAYS = env.int("IMPORT_JOB_RETENTION_DAYS", default=90)
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=50)

# An annual report asked for on its page is prepared by a task (reports.services.report_job_run);
# its file can be downloaded for this many hours (the recorded export, with its digests, stays).
REPORT_FILE_RETENTION_HOURS = env.int("REPORT_FILE_RETENTION_HOURS", default=24)
