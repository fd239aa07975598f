"""Media-type lists and case-insensitive matching (`a/b`, `a/*`, `*/*`, `+suffix`)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

#: Response media types sent as text rather than base64 (when the bytes are valid
#: UTF-8).
DEFAULT_TEXT_MEDIA_TYPES = (
    "text/*",  # RFC 6838 section 4.2.1: the text top-level type
    "application/json",  # RFC 8259
    "+json",  # RFC 6839 section 3.1: structured syntax suffix (problem+json...)
    "application/xml",  # RFC 7303
    "+xml",  # RFC 7303 section 4.2 (image/svg+xml, atom+xml...)
    "application/javascript",  # RFC 9239 (obsolete alias of text/javascript)
    "application/ecmascript",  # RFC 9239
    "application/x-www-form-urlencoded",  # WHATWG URL standard, section 5
    "application/yaml",  # RFC 9512
    "application/graphql",  # GraphQL over HTTP draft, request documents
)


class MediaTypes:
    """A set of media-type patterns (case and blanks ignored), precompiled for fast
    matching."""

    __slots__ = ("_any", "_exact", "_majors", "_matches", "_suffixes", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(
            dict.fromkeys(p.strip().lower() for p in patterns if p.strip())
        )
        self._any = "*/*" in self.patterns
        self._exact = frozenset(
            p for p in self.patterns if "/" in p and not p.endswith("/*")
        )
        self._majors = frozenset(p[:-2] for p in self.patterns if p.endswith("/*"))
        self._suffixes = tuple(p for p in self.patterns if p.startswith("+"))
        #: Content-Type -> whether it matches. An app answers with few types, and a
        #: match costs a few per cent of a request; bounded (multipart boundaries vary).
        self._matches: dict[str, bool] = {}

    def __contains__(self, content_type: str) -> bool:
        found = self._matches.get(content_type)
        if found is None:
            found = self._match(content_type)
            if len(self._matches) < 256:
                self._matches[content_type] = found
        return found

    def _match(self, content_type: str) -> bool:
        # Parameters never take part: "Text/HTML; charset=utf-8" is text/html.
        essence = content_type.split(";", 1)[0].strip().lower()
        major, slash, _ = essence.partition("/")
        if not slash:
            return False
        return (
            self._any
            or essence in self._exact
            or major in self._majors
            or essence.endswith(self._suffixes)
        )

    def __repr__(self) -> str:
        return f"MediaTypes({self.patterns!r})"
