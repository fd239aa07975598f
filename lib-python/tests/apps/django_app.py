"""Django version of the test app (settings configured in place, no project)."""

from __future__ import annotations

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="test-only",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect  # noqa: E402
from django.urls import path, reverse  # noqa: E402


def text(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def hello(request: HttpRequest) -> HttpResponse:
    return text("hello")


def url(request: HttpRequest) -> HttpResponse:
    return text(request.build_absolute_uri(reverse("hello")))


def to_hello(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("hello"))


def cookies(request: HttpRequest) -> HttpResponse:
    response = text(request.COOKIES.get("a", ""))
    response.set_cookie("x", "1")
    response.set_cookie("y", "2")
    return response


def query(request: HttpRequest) -> HttpResponse:
    return text(",".join(request.GET.getlist("k")))


def upload(request: HttpRequest) -> HttpResponse:
    file = request.FILES["file"]
    return text(f"{file.name}:{len(file.read())}")


def binary(request: HttpRequest) -> HttpResponse:
    return HttpResponse(bytes(range(256)), content_type="application/octet-stream")


def unicode(request: HttpRequest, name: str) -> HttpResponse:
    return text(name)


urlpatterns = [
    path("hello", hello, name="hello"),
    path("url", url),
    path("redirect", to_hello),
    path("cookies", cookies),
    path("query", query),
    path("upload", upload),
    path("binary", binary),
    path("unicode/<str:name>", unicode),
]

app = get_wsgi_application()
