"""The rulers' first-word index (language/first_word.py) finds exactly what spaCy's Matcher finds."""
from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher

from language.contract import REPO_ROOT
from language import first_word
from language.first_word import FirstWordEntityRuler, FirstWordMatcher, FirstWordSpanRuler, start_words

MARKUP = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([a-z_]+\))")


def plain_matchers(nlp):
    """For each ruler: its index, and one spaCy Matcher holding the same patterns, rebuilt
    from what the ruler recorded of them (not from the index)."""
    ruler, mentions = nlp.get_pipe("entity_ruler"), nlp.get_pipe("mentions")
    entity_plain = Matcher(nlp.vocab)
    for key, patterns in ruler.token_patterns.items():
        entity_plain.add(key, patterns)
    mention_plain = Matcher(nlp.vocab)
    for entry in mentions.patterns:
        if isinstance(entry["pattern"], list):
            mention_plain.add(repr((entry["label"], entry.get("id", ""))), [entry["pattern"]])
    return [(ruler.matcher, entity_plain), (mentions.matcher, mention_plain)]


def training_texts():
    for path in sorted((REPO_ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    yield MARKUP.sub(r"\1", line.strip()[2:])


@pytest.fixture(scope="module")
def pairs(nlp):
    return plain_matchers(nlp)


def test_pipeline_rulers_use_the_index(nlp, pairs):
    assert isinstance(nlp.get_pipe("entity_ruler"), FirstWordEntityRuler)
    assert isinstance(nlp.get_pipe("mentions"), FirstWordSpanRuler)
    for indexed, plain in pairs:
        assert isinstance(indexed, FirstWordMatcher)
        assert len(indexed) == len(plain)


def test_same_matches_as_spacy_on_every_training_line(nlp, pairs):
    found = 0
    for text in training_texts():
        doc = nlp(text)
        for indexed, plain in pairs:
            expected = set(plain(doc))
            assert set(indexed(doc)) == expected, text
            found += len(expected)
    assert found > 1000  # the comparison saw the patterns at work, not empty docs


@pytest.fixture(scope="module")
def vocabulary(pairs):
    """Every 7th word a pattern starts with, and words that start none."""
    words = set()
    for indexed, _ in pairs:
        for group in indexed._by_words:
            words |= group
    return sorted(words)[::7] + ["care", "the", "we", "12", "not", "very", "a", "?", "is", "open"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_same_matches_as_spacy_on_word_salad(nlp, pairs, vocabulary, data):
    text = " ".join(data.draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=14)))
    doc = nlp(text)
    for indexed, plain in pairs:
        assert set(indexed(doc)) == set(plain(doc)), text


@pytest.mark.parametrize("pattern,words", [
    ([{"NORM": "open"}], {"open"}),
    ([{"NORM": {"IN": ["dps", "framework"]}}, {"NORM": "open"}], {"dps", "framework"}),
    ([{"NORM": "very", "OP": "?"}, {"NORM": "open", "OP": "+"}], {"very", "open"}),
    ([{"NORM": "the", "OP": "*"}, {"NORM": {"IN": ["dps"]}}], {"the", "dps"}),
    ([{"NORM": {"REGEX": "^[0-9]+$"}}], None),
    ([{"NORM": {"NOT_IN": ["no"]}}, {"NORM": "carers"}], None),
    ([{"LIKE_NUM": True, "NORM": {"NOT_IN": ["0"]}}], None),
    ([{"NORM": "open", "OP": "!"}], None),
    ([{"NORM": "very", "OP": "?"}], None),
])
def test_start_words(pattern, words):
    assert start_words(pattern) == (None if words is None else frozenset(words))


def test_an_optional_first_word_may_be_missing(nlp):
    matcher = FirstWordMatcher(nlp.vocab)
    matcher.add("OPEN", [[{"NORM": "very", "OP": "?"}, {"NORM": "open"}]])
    matcher.add("NUMBER", [[{"NORM": {"REGEX": "^[0-9]+$"}}, {"NORM": "carers"}]])
    doc = nlp.make_doc("it is open with 12 carers")
    got = {(nlp.vocab.strings[k], doc[s:e].text) for k, s, e in matcher(doc)}
    assert got == {("OPEN", "open"), ("NUMBER", "12 carers")}
    assert "OPEN" in matcher and len(matcher) == 2
    matcher.remove("OPEN")
    assert "OPEN" not in matcher and len(matcher) == 1
    assert {nlp.vocab.strings[k] for k, _, _ in matcher(doc)} == {"NUMBER"}  # nothing remembered from before
    with pytest.raises(ValueError):
        matcher.remove("OPEN")


def test_remembers_a_message_it_matched_until_its_patterns_change(nlp, monkeypatch):
    matcher = FirstWordMatcher(nlp.vocab)
    matcher.add("OPEN", [[{"NORM": "open"}]])
    runs = []
    real = matcher._match
    monkeypatch.setattr(matcher, "_match", lambda doc: runs.append(doc.text) or real(doc))
    first = matcher(nlp("the dps is open"))
    first.append("changed by the caller")
    again = matcher(nlp("the dps is open"))
    assert runs == ["the dps is open"] and again == first[:1] and len(again) == 1
    assert matcher(nlp("the DPS is open")) == again and len(runs) == 2  # another text: matched afresh
    matcher.add("DPS", [[{"NORM": "dps"}]])
    assert {nlp.vocab.strings[k] for k, _, _ in matcher(nlp("the dps is open"))} == {"OPEN", "DPS"}
    assert len(runs) == 3


def test_remembers_a_bounded_number_of_messages(nlp):
    matcher = FirstWordMatcher(nlp.vocab)
    matcher.add("OPEN", [[{"NORM": "open"}]])
    for n in range(first_word._REMEMBERED + 50):
        matcher(nlp.make_doc(f"open {n}"))
    assert len(matcher._seen) == first_word._REMEMBERED
