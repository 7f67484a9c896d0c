"""The one ``*``-glob matcher against a regex built the slow, obvious way."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from iamgate.globs import pieces_match

TEXT = st.text(alphabet="ab*", max_size=8)


def reference(glob: str, text: str) -> bool:
    return re.fullmatch(".*".join(map(re.escape, glob.split("*"))), text, re.S) is not None


@settings(max_examples=500, deadline=None)
@given(glob=TEXT, text=st.text(alphabet="ab", max_size=10))
def test_same_answer_as_the_regex(glob: str, text: str) -> None:
    assert pieces_match(tuple(glob.split("*")), text) == reference(glob, text)


def test_pieces_may_not_overlap_at_the_ends() -> None:
    assert not pieces_match(("ab", "ba"), "aba")  # ab*ba needs four characters
    assert pieces_match(("ab", "ba"), "abba")
    assert pieces_match(("a", "a", "a"), "aaa")
    assert not pieces_match(("a", "a", "a"), "aa")
