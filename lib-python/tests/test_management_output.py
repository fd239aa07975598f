"""A command's output bounded to Lambda's 6 MB response limit, its head and tail kept."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdk_wsgi_adapter import management
from cdk_wsgi_adapter.management import Output
from cdk_wsgi_adapter.sources.base import LAMBDA_RESPONSE_LIMIT
from commands import python, shell


class TestSizeBound:
    """The answer stays under Lambda's 6 MB response limit, keeping the head and the
    tail of the output."""

    @staticmethod
    def check_bounded(answer: dict[str, Any], written: int) -> tuple[str, str]:
        """(head, tail) text, after checking the size and the cut's accounting."""
        assert answer["truncated"] is True
        assert len(json.dumps(answer)) < LAMBDA_RESPONSE_LIMIT
        # What runtimes from Python 3.12 send: UTF-8, not escaped.
        assert (
            len(json.dumps(answer, ensure_ascii=False).encode()) < LAMBDA_RESPONSE_LIMIT
        )
        assert len(json.dumps(answer)) > LAMBDA_RESPONSE_LIMIT - 256 * 1024
        notes = [
            i
            for i, (stream, text) in enumerate(answer["output"])
            if stream == "stderr" and text.startswith("\n[cdk-wsgi: ")
        ]
        [note] = notes
        message = answer["output"][note][1]
        assert message.endswith(
            " bytes of output cut here, to fit Lambda's 6 MB response limit]\n"
        )
        cut = int(message.split()[1])
        head = "".join(text for _, text in answer["output"][:note])
        tail = "".join(text for _, text in answer["output"][note + 1 :])
        kept = len(head.encode()) + len(tail.encode())
        assert kept + cut == written
        return head, tail

    def test_python_output_over_the_limit(self) -> None:
        line = "x" * 99 + "\n"
        answer = python(
            f"""
            print("FIRST LINE")
            for i in range(80_000):
                print({line[:-1]!r})
            import sys
            print("the end", file=sys.stderr)
            """
        )
        assert answer["exitCode"] == 0
        head, tail = self.check_bounded(answer, 11 + 80_000 * 100 + 8)
        assert head.startswith("FIRST LINE\nxxx")
        assert 1_000_000 < len(head) <= management.HEAD_LIMIT
        assert answer["output"][-1] == ["stderr", "the end\n"]
        assert tail.endswith(line + "the end\n")

    def test_shell_output_over_the_limit(self) -> None:
        answer = shell(
            "echo START; head -c 8000000 /dev/zero | tr '\\0' x; echo; echo END"
        )
        head, tail = self.check_bounded(answer, 6 + 8_000_000 + 1 + 4)
        assert head.startswith("START\nxxx")
        assert tail.endswith("xxx\nEND\n")
        assert answer["exitCode"] == 0

    @pytest.mark.parametrize(
        "character",
        ["\u00e9", "\U0001f600", '"', "\x01"],
        ids=["2-byte", "4-byte", "quote", "control"],
    )
    def test_escaped_output_is_measured_as_json(self, character: str) -> None:
        answer = python(
            f"print('START'); print({character!r} * 3_500_000); print('END')"
        )
        written = 6 + 3_500_000 * len(character.encode()) + 1 + 4
        head, tail = self.check_bounded(answer, written)
        assert head.startswith("START\n" + character)
        assert tail.endswith(character + "\nEND\n")

    def test_one_huge_write(self) -> None:
        answer = python("print('START' + 'y' * 9_000_000 + 'END')")
        head, tail = self.check_bounded(answer, 9_000_009)
        assert head.startswith("STARTyyy")
        assert tail.endswith("yyyEND\n")

    def test_many_tiny_writes_to_both_streams(self) -> None:
        answer = python(
            """
            import sys
            for i in range(200_000):
                sys.stdout.write("o")
                sys.stderr.write("e")
            """,
        )
        # 17 characters of JSON per chunk of one character: 400,000 chunks would be
        # 6.8 MB.
        head, tail = self.check_bounded(answer, 400_000)
        assert answer["output"][:2] == [["stdout", "o"], ["stderr", "e"]]
        assert answer["output"][-1] == ["stderr", "e"]


def written_pieces(
    writes: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    return [(stream, char) for stream, text in writes for char in text]


class TestOutput:
    """The bound in small: limits in JSON characters, chunks of 16 more."""

    def test_under_the_limits_everything_is_kept_and_joined(self) -> None:
        output = Output(head_limit=40, tail_limit=80)
        for stream, text in [
            ("stdout", "a"),
            ("stdout", ""),
            ("stdout", "b"),
            ("stderr", "c"),
            ("stdout", "d" * 30),
            ("stdout", "e"),
        ]:
            output.write(stream, text)
        assert output.chunks() == [
            ["stdout", "ab"],
            ["stderr", "c"],
            ["stdout", "d" * 30 + "e"],
        ]
        assert output.cut == 0

    def test_over_the_limits_the_middle_is_cut(self) -> None:
        output = Output(head_limit=20, tail_limit=40)
        output.write("stdout", "0123456789")
        output.write("stdout", "abcdefghijklmnopqrstuvwxyz")
        output.write("stderr", "ABCDEFGHIJ")
        # head: 16 + 4 characters; tail: trimmed to 30 of 40 (16 + 14), keeping the
        # stderr chunk and no stdout
        assert output.chunks() == [
            ["stdout", "0123"],
            [
                "stderr",
                "\n[cdk-wsgi: 32 bytes of output cut here, to fit Lambda's 6 MB "
                "response limit]\n",
            ],
            ["stderr", "ABCDEFGHIJ"],
        ]

    def test_a_partly_kept_piece_keeps_its_end(self) -> None:
        output = Output(head_limit=0, tail_limit=40)
        output.write("stdout", "x" * 50 + "0123456789")
        # Only its last 40 characters are measured; trimmed to 30 (16 + 14).
        assert output.chunks()[1:] == [["stdout", "xxxx0123456789"]]
        assert output.cut == 46

    def test_escaped_characters_count_as_their_json(self) -> None:
        output = Output(head_limit=16 + 12, tail_limit=48)
        output.write("stdout", "\u00e9\u00e9\u00e9")  # 6 JSON characters each
        output.write("stderr", "\n\t")  # 2 each
        # 12: over 48 in the tail, which is trimmed to 36 from its start
        output.write("stdout", "\U0001f600")
        assert output.chunks() == [
            ["stdout", "\u00e9\u00e9"],
            [
                "stderr",
                "\n[cdk-wsgi: 4 bytes of output cut here, to fit Lambda's 6 MB "
                "response limit]\n",
            ],
            ["stdout", "\U0001f600"],
        ]

    def test_a_flood_of_small_writes_is_kept_in_few_pieces(self) -> None:
        output = Output(head_limit=0)
        for _ in range(20_000):
            output.write("stdout", "line\n")
        # 120,000 characters of JSON ("line\\n" is 6) in pieces of 4,098
        assert len(output._tail) == 30
        assert output.chunks() == [["stdout", "line\n" * 20_000]]

    @given(
        st.integers(min_value=0, max_value=120),
        st.integers(min_value=1, max_value=200),
        st.lists(
            st.tuples(
                st.sampled_from(["stdout", "stderr"]),
                st.text(
                    st.characters(
                        codec="utf-8",
                        categories=["L", "N", "P", "Zs", "Cc", "So"],
                    ),
                    max_size=60,
                ),
            ),
            max_size=30,
        ),
    )
    def test_bounded_and_faithful(
        self, head_limit: int, tail_limit: int, writes: list[tuple[str, str]]
    ) -> None:
        output = Output(head_limit=head_limit, tail_limit=tail_limit)
        for stream, text in writes:
            output.write(stream, text)
        chunks = output.chunks()
        written = written_pieces(writes)
        parts = [chunks]
        if output.cut:
            note = next(i for i, c in enumerate(chunks) if c[1].startswith("\n[cdk"))
            parts = [chunks[:note], chunks[note + 1 :]]
            head = written_pieces([(s, t) for s, t in parts[0]])
            tail = written_pieces([(s, t) for s, t in parts[1]])
            assert written[: len(head)] == head
            assert written[len(written) - len(tail) :] == tail
            kept = "".join(t for _, t in head + tail)
            everything = "".join(t for _, t in written)
            assert len(kept.encode()) + output.cut == len(everything.encode())
            assert len(json.dumps(chunks[:note])) <= head_limit + 2
            assert len(json.dumps(chunks[note + 1 :])) <= tail_limit + 2
        else:
            assert written_pieces([(s, t) for s, t in chunks]) == written
            assert len(json.dumps(chunks)) <= head_limit + tail_limit + 2
        for part in parts:  # joined: no empty chunk, no two of a stream in a row
            assert all(text for _, text in part)
            assert all(a[0] != b[0] for a, b in pairwise(part))
