"""Runs a Django app's collectstatic into a build folder, for StaticFiles.django().

    python collect_static.py ENTRY MODULE BUILD RESULT

Imports MODULE (the app's WSGI module, e.g. ``mysite.wsgi``) from ENTRY with ENTRY
as the working directory, as Lambda does, so the settings are the ones the app
runs with. ``collectstatic --clear`` then fills BUILD in place of STATIC_ROOT:
the upload comes from the build, never from files left in the app's folder.

With hashed storage (ManifestFilesMixin), the app reads its manifest from its own
STATIC_ROOT at run time, so the new manifest is written there, inside ENTRY,
where the function's bundle and ``cdk-wsgi serve`` both find it; BUILD keeps no
copy (visitors need none). The manifest's paths are sorted: collectstatic lists
folders in file-system order, and the same sources must give the same bundle on
every machine.

RESULT receives JSON: ``staticUrl`` and ``strays`` (other files in the app's
STATIC_ROOT, which the bundle would carry). Exit status 2 is a problem in the
settings and 3 an interpreter without Django, explained on stderr; any other
failure is collectstatic's own, with its traceback.
"""

from __future__ import annotations

import importlib
import json
import os
import sys


class SettingsError(Exception):
    """Settings that StaticFiles.django() cannot serve from the distribution."""


def main(entry: str, module: str, build: str, result: str) -> int:
    entry = os.path.realpath(entry)
    os.chdir(entry)
    sys.path.insert(0, entry)
    try:
        import django  # noqa: F401
    except ImportError:
        print(
            f"{sys.executable} cannot import django: install the app's requirements "
            "into it, or point CDK_WSGI_PYTHON at the interpreter that has them",
            file=sys.stderr,
        )
        return 3
    importlib.import_module(module)
    try:
        summary = collect(entry, module, build)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    with open(result, "w", encoding="utf-8") as out:
        json.dump(summary, out)
    return 0


def collect(entry: str, module: str, build: str) -> dict[str, object]:
    import django
    from django.conf import settings
    from django.contrib.staticfiles import storage
    from django.core.management import call_command
    from django.test.utils import override_settings

    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        raise SettingsError(
            f"importing {module} did not set DJANGO_SETTINGS_MODULE: "
            "pass StaticFiles.django({ settingsModule: 'mysite.settings' })"
        )
    django.setup()
    static_url = settings.STATIC_URL
    if not static_url or not static_url.startswith("/") or static_url.startswith("//"):
        raise SettingsError(
            f"STATIC_URL is {static_url!r}: the distribution serves the files under "
            "a path of the site, so set STATIC_URL = '/static/' (or another path "
            "starting with '/')"
        )
    # The lazy storage passes isinstance as the storage it stands for.
    static = storage.staticfiles_storage
    manifest = None
    if isinstance(static, storage.ManifestFilesMixin):
        manifest = static.manifest_storage.path(static.manifest_name)
        if os.path.commonpath([entry, os.path.realpath(manifest)]) != entry:
            raise SettingsError(
                f"the storage reads its manifest from {manifest}, outside the app's "
                f"folder {entry}, where the function cannot read it: set STATIC_ROOT "
                "inside it, e.g. BASE_DIR / 'staticfiles'"
            )

    # override_settings sends setting_changed, on which Django drops its storages:
    # collectstatic's is made anew, writing to BUILD.
    with override_settings(STATIC_ROOT=build):
        call_command("collectstatic", interactive=False, clear=True, verbosity=1)
    strays = []
    if manifest is not None:
        built = os.path.join(build, os.path.basename(manifest))
        with open(built, encoding="utf-8") as f:
            content = json.load(f)
        os.remove(built)
        content["paths"] = dict(sorted(content["paths"].items()))
        write_if_changed(manifest, json.dumps(content))
        strays = sorted(
            os.path.relpath(os.path.join(folder, name), entry)
            for folder, _, names in os.walk(os.path.dirname(manifest))
            for name in names
            if os.path.join(folder, name) != manifest
        )
    return {"staticUrl": static_url, "strays": strays}


def write_if_changed(path: str, text: str) -> None:
    """Leaves an unchanged manifest untouched: file watchers see no change."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
