"""language/hedges.py: the learned layer guesses no value inside a hedge."""
from __future__ import annotations

import pytest

from language.hedges import governs, load_hedges

HEDGES = [tuple(h.split()) for h in load_hedges()]


def words(text: str) -> list[str]:
    return text.lower().replace(",", " ,").split()


@pytest.mark.parametrize("before", [
    "not sure if we have",
    "we're not sure we have",
    "maybe some",
    "if we get",
    "i think we have",
    "we do n't know if we have",
])
def test_a_hedge_in_the_clause_governs_what_follows(before):
    assert governs(words(before), HEDGES)


@pytest.mark.parametrize("before", [
    "we have",
    "we're registered and have",
    "not sure about the dps , but we have",
    "maybe later . we have",
    "",
])
def test_a_plain_statement_or_a_hedge_in_another_clause_does_not(before):
    assert not governs(words(before), HEDGES)


def test_the_phrases_are_checked(tmp_path):
    bad = tmp_path / "hedges.yml"
    bad.write_text("- Not Sure\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lower-case"):
        load_hedges(bad)
    bad.write_text("not: a list\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_hedges(bad)
