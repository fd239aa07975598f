"""`manage.py addnote TEXT`: adds a note; an empty text is an error with exit code 3."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...models import Note


class Command(BaseCommand):  # type: ignore[misc]
    help = "Add a note."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("text")

    def handle(self, *args: Any, text: str, **options: Any) -> None:
        if not text.strip():
            raise CommandError("a note needs some text", returncode=3)
        note = Note.objects.create(text=text)
        self.stdout.write(f"added note {note.pk}")
        self.stderr.write("(to stderr)")
