"""The contract with the CDK construct: environment variable names, warm-up event.

The TypeScript side pins the same literals in `src/private/adapter-contract.ts`;
changing any of them is a breaking change. Everything is parsed once, when the
package is imported.
"""

from __future__ import annotations

from .log import logger
from .media import DEFAULT_TEXT_MEDIA_TYPES, MediaTypes, parse_media_types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "APP_VARIABLE",
    "BASE_PATHS_VARIABLE",
    "BINARY_MEDIA_TYPES_VARIABLE",
    "TEXT_MEDIA_TYPES_VARIABLE",
    "WARM_UP_CONCURRENCY_KEY",
    "WARM_UP_SOURCE",
    "Options",
    "Settings",
    "load_settings",
    "parse_base_paths",
]

#: The WSGI callable, `package.module:attr` (attr may be dotted: `app:obj.wsgi_app`).
APP_VARIABLE = "CDK_WSGI_APP"
#: Comma-separated media types returned as text in addition to DEFAULT_TEXT_MEDIA_TYPES.
TEXT_MEDIA_TYPES_VARIABLE = "CDK_WSGI_TEXT_MEDIA_TYPES"
#: Comma-separated `binaryMediaTypes` of the REST API; set by the construct for REST
#: APIs only.
BINARY_MEDIA_TYPES_VARIABLE = "CDK_WSGI_BINARY_MEDIA_TYPES"
#: JSON object: custom domain name -> base path without slashes ("" = root mapping).
BASE_PATHS_VARIABLE = "CDK_WSGI_BASE_PATHS"
#: `source` of the construct's warm-up event `{"source": WARM_UP_SOURCE, "concurrency":
#: N}`.
WARM_UP_SOURCE = "cdk-wsgi.warm-up"
#: Key of the warm-up event holding N, the number of environments to keep warm.
WARM_UP_CONCURRENCY_KEY = "concurrency"


#: How a response body of some media type is sent: as text if at all possible...
TEXT = "text"
#: ...base64 (the front door decodes it back to bytes)...
BINARY = "binary"
#: ...or as text only, because a REST API would not decode base64 of this type.
TEXT_ONLY = "text only"
_MAX_BODY_KINDS = 256


class Options:
    """Per-handler translation options (the parsed form of the variables above)."""

    __slots__ = (
        "base_paths",
        "binary_media_types",
        "body_kinds",
        "mounts",
        "text_media_types",
    )

    def __init__(
        self,
        *,
        text_media_types: Iterable[str] = (),
        binary_media_types: Iterable[str] | None = None,
        base_paths: Mapping[str, str] | None = None,
    ) -> None:
        self.text_media_types = MediaTypes(
            (*DEFAULT_TEXT_MEDIA_TYPES, *text_media_types)
        )
        # None: the front door decodes isBase64Encoded unconditionally (HTTP API, URL,
        # ALB).
        self.binary_media_types = (
            None if binary_media_types is None else MediaTypes(binary_media_types)
        )
        self.base_paths = {
            domain.strip().lower(): path.strip("/")
            for domain, path in (base_paths or {}).items()
        }
        #: (domain, stage, stage in path) -> (SCRIPT_NAME prefix, strip it from the
        #: path), filled by environ.mount.
        self.mounts: dict[tuple[str, str, bool], tuple[str, bool]] = {}
        #: Content-Type -> TEXT, BINARY or TEXT_ONLY, filled by body_kind().
        self.body_kinds: dict[str, str] = {}

    def body_kind(self, content_type: str) -> str:
        """How a response body of `content_type` is sent (see TEXT, BINARY, TEXT_ONLY).

        Remembered, bounded (parameters such as multipart boundaries vary): an app
        sends few distinct types.
        """
        binary_types = self.binary_media_types
        if binary_types is not None and content_type not in binary_types:
            # API Gateway base64-decodes only responses whose type is in the list.
            kind = TEXT_ONLY
        elif content_type in self.text_media_types:
            kind = TEXT
        else:
            kind = BINARY
        if len(self.body_kinds) < _MAX_BODY_KINDS:
            self.body_kinds[content_type] = kind
        return kind


class Settings:
    """What the construct configured through the environment."""

    __slots__ = ("app", "options")

    def __init__(self, app: str | None, options: Options) -> None:
        self.app = app
        self.options = options


def parse_base_paths(value: str) -> dict[str, str]:
    """Parse CDK_WSGI_BASE_PATHS; log an error and return {} unless a string map."""
    import json  # json pulls in `re`; only paid when a custom domain is configured

    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and all(isinstance(v, str) for v in parsed.values()):
        return parsed
    logger().error(
        "%s must be a JSON object of domain name -> base path; ignoring %r",
        BASE_PATHS_VARIABLE,
        value,
    )
    return {}


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read the construct's variables from `environ` (normally os.environ)."""
    binary = environ.get(BINARY_MEDIA_TYPES_VARIABLE)
    base_paths = environ.get(BASE_PATHS_VARIABLE, "").strip()
    options = Options(
        text_media_types=parse_media_types(environ.get(TEXT_MEDIA_TYPES_VARIABLE, "")),
        binary_media_types=None if binary is None else parse_media_types(binary),
        base_paths=parse_base_paths(base_paths) if base_paths else None,
    )
    return Settings(environ.get(APP_VARIABLE, "").strip() or None, options)
