"""
Django settings for mysite, read from environment variables, so that one copy of the
project runs on Lambda behind cdk-wsgi's CloudFront distribution and locally behind
``cdk-wsgi serve``.

https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_list(name: str) -> list[str]:
    """A comma-separated environment variable as a list, empty when unset."""
    return [
        item.strip() for item in os.environ.get(name, "").split(",") if item.strip()
    ]


# SECURITY WARNING: keep the secret key used in production secret! The fallback is for
# development only.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-dev-only-do-not-deploy")

# Off unless DJANGO_DEBUG=1 (not plain DEBUG, which other tools, Node's `debug` among
# them, read too).
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"

# The hosts visitors use, comma-separated: "www.example.com" or
# "d111111abcdef8.cloudfront.net". Behind the CloudFront distribution the app sees the
# visitor's host, never the API's or the function URL's own.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# The origins forms are posted from, comma-separated, with their scheme:
# "https://www.example.com". Behind the distribution the app sees https (the adapter
# sets wsgi.url_scheme), so SECURE_PROXY_SSL_HEADER is not needed.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Cookies only over https, as visitors reach the site; browsers also send them to
# http://127.0.0.1, which `cdk-wsgi serve` answers on.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG


# Application definition

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mysite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "mysite.wsgi.application"


# Database: SQLite in /tmp, the only folder Lambda can write to. Each execution
# environment has its own copy, lost when it ends: use a real database for anything that
# must last.

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", "/tmp/db.sqlite3"),
    }
}


password_validation = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{password_validation}.UserAttributeSimilarityValidator"},
    {"NAME": f"{password_validation}.MinimumLengthValidator"},
    {"NAME": f"{password_validation}.CommonPasswordValidator"},
    {"NAME": f"{password_validation}.NumericPasswordValidator"},
]


LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True


# Static files: collectstatic writes them, with hashed names, to STATIC_ROOT. It sits
# inside the project so that the function carries the manifest (staticfiles.json) that
# names them; the distribution serves the files themselves under STATIC_URL.

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
