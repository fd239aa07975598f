from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from .models import Note


def notes(request: HttpRequest) -> HttpResponse:
    texts = Note.objects.order_by("id").values_list("text", flat=True)
    return HttpResponse("\n".join(texts), content_type="text/plain; charset=utf-8")
