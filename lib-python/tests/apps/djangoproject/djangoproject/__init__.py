"""A Django project as `django-admin startproject` lays it out, for management commands."""
