"""Django settings for Huifang.

Everything that differs between installations comes from the environment:
DATABASE_URL, HUIFANG_SECRET_KEY, HUIFANG_DATA_KEY, HUIFANG_DEBUG, HUIFANG_DATA_DIR.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from huifang.lib.env import data_dir, env_bool, env_str, local_secret

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEBUG = env_bool("HUIFANG_DEBUG", default=False)
SECRET_KEY = env_str("HUIFANG_SECRET_KEY") or local_secret("secret_key")
# Master key for personal data at rest (see huifang.lib.crypto). Comma-separated
# for rotation: the first key encrypts, every key decrypts.
HUIFANG_DATA_KEY = env_str("HUIFANG_DATA_KEY") or local_secret("data_key")
# Key of the hashes that find a borrower by ID or phone number without decrypting;
# it must not change when HUIFANG_DATA_KEY rotates. Default: the last data key.
HUIFANG_LOOKUP_KEY = env_str("HUIFANG_LOOKUP_KEY")

ALLOWED_HOSTS = [
    h for h in env_str("HUIFANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("HUIFANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "huifang.accounts",
    "huifang.audit",
    "huifang.portfolio",
    "huifang.followups",
    "huifang.notifications",
    "huifang.questionnaires",
    "huifang.reviews",
    "huifang.evidence",
    "huifang.archive",
    "huifang.reports",
    "huifang.classification",
    "huifang.risk",
    "huifang.departments",
    "huifang.restructuring",
    "huifang.api",
    "huifang.web",
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
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "huifang.accounts.middleware.DeniedAccessAuditMiddleware",
]

ROOT_URLCONF = "huifang.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huifang.web.context.huifang",
            ],
        },
    },
]

WSGI_APPLICATION = "huifang.wsgi.application"

# Tests: browser tests restore what the migrations created (serialized rollback) after other
# transactional tests emptied the database; those tests' flush re-creates content types and
# permissions (post_migrate), so restoring them as well would clash.
TEST_NON_SERIALIZED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'huifang.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                # 256 MB of page cache: large imports and plans keep their indexes in memory.
                "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;"
            ),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "loan_list"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("HUIFANG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves the static files from the apps themselves, in any mode: no
# collectstatic step, no CDN, nothing from outside the intranet.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env_str("HUIFANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# The address people reach Huifang at (https://huifang.example.cn), for links in group chats.
HUIFANG_BASE_URL = env_str("HUIFANG_BASE_URL", "")
HUIFANG_INSTITUTION_NAME = env_str("HUIFANG_INSTITUTION_NAME", "惠方小额贷款有限公司")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HUIFANG_LOG_LEVEL", "WARNING")},
}

# Follow-up planning: how many visits an officer is given on one day before colleagues share them.
HUIFANG_DAILY_VISIT_CAPACITY = int(env_str("HUIFANG_DAILY_VISIT_CAPACITY", "20"))

# Background jobs (the nightly planning run): Django's tasks API with the database
# backend, so no broker is needed. Workers: `huifang db_worker` (several may run).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HUIFANG_NIGHTLY_AT = env_str("HUIFANG_NIGHTLY_AT", "01:30")
# Reminders of visits coming due: how many days ahead (in-app and email).
HUIFANG_REMINDER_DAYS = int(env_str("HUIFANG_REMINDER_DAYS", "2"))

# Carrying out and reviewing visits (issue 4).
# Unanswered calls before a visit may be submitted as "could not reach".
HUIFANG_CONTACT_MAX_ATTEMPTS = int(env_str("HUIFANG_CONTACT_MAX_ATTEMPTS", "3"))
# Share of approved visits drawn at random for a second reviewer's re-check.
HUIFANG_RECHECK_SHARE = float(env_str("HUIFANG_RECHECK_SHARE", "0.05"))
# Days a borrower's online questionnaire link stays valid.
HUIFANG_ONLINE_LINK_DAYS = int(env_str("HUIFANG_ONLINE_LINK_DAYS", "7"))
# On-site evidence: farther than this from the borrower's site is flagged.
HUIFANG_ONSITE_MAX_DISTANCE_M = int(env_str("HUIFANG_ONSITE_MAX_DISTANCE_M", "1000"))
# Working hours for on-site visits (local time, HH:MM-HH:MM), on working days.
HUIFANG_WORKING_HOURS = env_str("HUIFANG_WORKING_HOURS", "08:30-18:30")
# Attachments (photos, documents, recordings), stored encrypted under the data folder.
HUIFANG_ATTACHMENT_MAX_MB = int(env_str("HUIFANG_ATTACHMENT_MAX_MB", "25"))
DEFAULT_FROM_EMAIL = env_str("HUIFANG_FROM_EMAIL", "huifang@localhost")
EMAIL_HOST = env_str("HUIFANG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("HUIFANG_EMAIL_PORT", "25"))
