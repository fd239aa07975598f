"""The WSGI module, as startproject writes it: CDK_WSGI_APP=djangoproject.wsgi:application."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangoproject.settings")

application = get_wsgi_application()
