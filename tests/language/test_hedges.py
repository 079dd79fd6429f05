"""language/hedges.py: the learned layer guesses no value inside a hedge."""
from __future__ import annotations

import pytest

from language.contract import allowed_values
from language.hedges import AFTERTHOUGHT, KINDS, anywhere, asked, governs, load_hedges, taken_back

LOADED = load_hedges()
HEDGES = [tuple(h.split()) for kind in KINDS for h in LOADED[kind]]
DOUBTS = [tuple(h.split()) for h in LOADED["doubt"]]


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


def test_a_hedge_anywhere_in_the_message_is_found_and_a_plain_message_has_none():
    assert anywhere(words("not sure about the dps , but we have carers"), HEDGES)
    assert anywhere(words("we have carers , maybe"), HEDGES)
    assert not anywhere(words("we have carers and we're on the dps"), HEDGES)


@pytest.mark.parametrize("before, doubt", [
    ("no idea if we 're", True), ("we do n't know if we have", True), ("not sure we have any", True),
    ("we do nt know if we have", True), ("idk if we", True), ("not too sure we 're", True),
    ("maybe some", False), ("i think we 're", False), ("if we get", False),
])
def test_only_a_doubt_is_a_doubt(before, doubt):
    assert governs(words(before), DOUBTS) is doubt


def test_the_doubtable_facts_are_the_trees():
    assert LOADED["facts"] and set(LOADED["facts"]) <= set(allowed_values())
    assert not {"service", "nation", "regulator"} & set(LOADED["facts"])


def test_the_phrases_are_checked(tmp_path):
    bad = tmp_path / "hedges.yml"
    bad.write_text("doubt: [Not Sure]\nguess: [maybe]\ncondition: [if]\nafterthought: [who knows]\nfacts: [capacity]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lower-case"):
        load_hedges(bad)
    bad.write_text("- not sure\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sections"):
        load_hedges(bad)
    bad.write_text("doubt: not a list\nguess: [maybe]\ncondition: [if]\nafterthought: [who knows]\nfacts: [capacity]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="doubt"):
        load_hedges(bad)


AFTERTHOUGHTS = [tuple(h.split()) for h in LOADED["doubt"] + LOADED[AFTERTHOUGHT]]


@pytest.mark.parametrize("after, uncertain", [
    ("still open i think ?", True),
    ("at the moment ?", True),
    ("in spring , i might be wrong", True),
    ("again , not sure tho", True),
    ("i reckon", True),
    (", apparently", True),
    ("that i know of", True),
    ("as far as i know", True),
    (", not sure about the framework", False),
    (", can we apply ?", False),
    ("so how do we apply ?", False),
    ("how do we apply ?", False),
    (". who knows", False),
    ("", False),
])
def test_a_status_asked_or_taken_back_is_uncertain(after, uncertain):
    words_after = words(after)
    assert (asked(words_after) or taken_back(words_after, AFTERTHOUGHTS)) is uncertain
