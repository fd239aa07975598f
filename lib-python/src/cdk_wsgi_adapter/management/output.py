"""A command's output: chunks tagged with their stream, in the order written, bounded
so that the answer fits Lambda's response limit."""

from __future__ import annotations

import json
from collections import deque

from ..sources.base import LAMBDA_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: The answer's JSON stays this far under Lambda's limit: room for its keys, the exit
#: code and the note saying what was cut.
MARGIN = 64 * 1024
#: JSON characters of output kept from the start, when there is too much.
HEAD_LIMIT = 1024 * 1024
#: JSON characters of output kept from the end: the rest. The end (a migration's
#: outcome, the traceback) matters most.
TAIL_LIMIT = LAMBDA_RESPONSE_LIMIT - MARGIN - HEAD_LIMIT


class Output:
    """Output chunks in the order written, bounded so that the answer fits Lambda's
    response limit.

    Sizes are JSON characters (json.dumps, ASCII-escaped: never fewer than the UTF-8
    bytes Lambda sends), counted once per write. The first `head_limit` are kept; after
    them, only the last `tail_limit`, the middle being dropped and counted in `cut`
    (UTF-8 bytes). Escaping is per character, so sizes add up across pieces and one
    character costs at least 1: these bound every split without measuring twice.
    """

    #: A chunk's JSON around its text: `["stdout", ""], ` ("stderr" is as long).
    CHUNK = 16
    #: Consecutive writes to one stream are joined up to this size, which bounds the
    #: pieces kept for a flood of tiny writes.
    JOIN = 4096

    def __init__(
        self, head_limit: int = HEAD_LIMIT, tail_limit: int = TAIL_LIMIT
    ) -> None:
        self.head_limit = head_limit
        self.tail_limit = tail_limit
        #: Trimmed this far below tail_limit, so that a flood of writes trims rarely.
        self.slack = min(tail_limit // 4, 64 * 1024)
        #: UTF-8 bytes of output dropped from the middle.
        self.cut = 0
        self._head: list[tuple[str, list[str]]] = []
        self._head_size = 0
        self._head_open = True
        #: [stream, text, size] pieces; consecutive ones of a stream are one chunk.
        self._tail: deque[list[Any]] = deque()
        self._tail_size = 0

    def write(self, stream: str, text: str) -> None:
        """Add `text` written to `stream` ("stdout" or "stderr")."""
        if not text:
            return
        if self._head_open:
            same = bool(self._head) and self._head[-1][0] == stream
            room = self.head_limit - self._head_size - (0 if same else self.CHUNK)
            keep, size = _fit(text, room)
            if keep:
                if same:
                    self._head[-1][1].append(text[:keep])
                else:
                    self._head.append((stream, [text[:keep]]))
                self._head_size += size + (0 if same else self.CHUNK)
            if keep == len(text):
                return
            self._head_open = False
            text = text[keep:]
        if len(text) > self.tail_limit:  # only its end can be kept: measure only that
            self.cut += _utf8_size(text[: -self.tail_limit])
            text = text[-self.tail_limit :]
        self._add_to_tail(stream, text)

    def _add_to_tail(self, stream: str, text: str) -> None:
        size = _size(text)
        tail = self._tail
        if tail and tail[-1][0] == stream:
            last = tail[-1]
            if last[2] < self.JOIN:
                last[1] += text
                last[2] += size
            else:
                tail.append([stream, text, size])
            self._tail_size += size
        else:
            tail.append([stream, text, size])
            self._tail_size += size + self.CHUNK
        if self._tail_size > self.tail_limit:
            self._trim(self.tail_limit - self.slack)

    def _trim(self, target: int) -> None:
        tail = self._tail
        while self._tail_size > target:
            first = tail[0]
            stream, text, size = first
            excess = self._tail_size - target
            keep, kept = (
                _fit(text, size - excess, end=True) if excess < size else (0, 0)
            )
            self.cut += _utf8_size(text[: len(text) - keep])
            if keep:
                first[1], first[2] = text[len(text) - keep :], kept
                self._tail_size -= size - kept
            else:
                tail.popleft()
                self._tail_size -= size
                if not tail or tail[0][0] != stream:  # its chunk is gone too
                    self._tail_size -= self.CHUNK

    def chunks(self) -> list[list[str]]:
        """[[stream, text], ...] in the order written, consecutive writes to one
        stream joined; with a stderr note where output was cut."""
        head = [(stream, "".join(parts)) for stream, parts in self._head]
        tail = [(stream, text) for stream, text, _ in self._tail]
        if not self.cut:
            return _joined(head + tail)
        note = (
            f"\n[cdk-wsgi: {self.cut} bytes of output cut here, to fit Lambda's "
            f"{LAMBDA_RESPONSE_LIMIT // 1024 // 1024} MB response limit]\n"
        )
        return [*_joined(head), ["stderr", note], *_joined(tail)]


def _fit(text: str, room: int, *, end: bool = False) -> tuple[int, int]:
    """(n, size): n characters from the start (or `end`) of `text`, as many as fit in
    `room` or nearly, and their size. A character costs at least 1, so at most `room`
    are measured, then fewer in proportion until they fit; dropping as many characters
    as the size is over always does."""
    room = max(0, room)
    count = min(len(text), room)
    while True:
        size = _size(text[len(text) - count :] if end else text[:count])
        if size <= room:
            return count, size
        over = size - room
        count = max(count - over, min(count * room // size, count - 1))


def _size(text: str) -> int:
    return len(json.dumps(text)) - 2  # without the quotes: Output.CHUNK counts them


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _joined(pieces: list[tuple[str, str]]) -> list[list[str]]:
    runs: list[tuple[str, list[str]]] = []
    for stream, text in pieces:
        if runs and runs[-1][0] == stream:
            runs[-1][1].append(text)
        else:
            runs.append((stream, [text]))
    return [[stream, "".join(parts)] for stream, parts in runs]
