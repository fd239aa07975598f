"""Settings of the test project: one app, SQLite at NOTES_DATABASE (in Lambda, under /tmp)."""

from __future__ import annotations

import os

SECRET_KEY = "test-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "djangoproject.urls"
INSTALLED_APPS = ["notes"]
MIDDLEWARE: list[str] = []
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("NOTES_DATABASE", "/tmp/notes.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
