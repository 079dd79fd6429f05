"""Tests of the spelling step (language/spelling.py): typos reach the patterns, nothing else moves.

The pipeline is built in memory as `python -m language.build_pipeline` builds it; the last
test loads the installed package ``en_route_advisor`` by name in a separate process, away
from the source tree, as Rasa does.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import spacy

from language.contract import REPO_ROOT
from language.facts import find
from language.spelling import FACTORY, english_frequencies
from tests.language.reading import ALLOWED, facts



@pytest.fixture(scope="module")
def spelling(nlp):
    return nlp.get_pipe("spelling")



# Misspellings and phone-typed messages from issue 8 and the held-out sets' kind of text,
# each with every fact it gives.
TYPOS = [
    ("we're regsitered with CQC", [("registration", "registered"), ("regulator", "cqc")]),
    ("we are registerd", [("registration", "registered")]),
    ("no capcity atm", [("capacity", "none")]),
    ("we've got loads of capcity", [("capacity", "available")]),
    ("we have limted capacity", [("capacity", "limited")]),
    ("havent got any spare carers tbh", [("capacity", "none")]),
    ("cqc reg'd, 2 yrs trading", [("regulator", "cqc"), ("registration", "registered"), ("stage", "established")]),
    ("the framewrok is closed", [("framework", "closed")]),
    ("established with lancashire and the fraemwork is open for bids",
     [("stage", "established"), ("council", "Lancashire County Council"), ("framework", "opening")]),
    ("jst started and cqc aplication pending", [("regulator", "cqc"), ("registration", "pending")]),
    ("domicilary care agency", [("service", "home_care")]),
    ("new dom care agency", [("stage", "new"), ("service", "home_care")]),
    ("suported living in Cardiff", [("service", "supported_living"), ("council", "Cardiff Council")]),
    ("we're on the dynamic purchsing system", [("on_list", "dps")]),
    ("Sufolk council", [("council", "Suffolk County Council")]),
]


@pytest.mark.parametrize("text,expected", TYPOS, ids=[t for t, _ in TYPOS])
def test_a_typo_gives_the_fact(nlp, text, expected):
    assert facts(nlp, text) == expected


def test_text_offsets_and_spans_stay_as_typed(nlp):
    """Only NORM changes: the text, the tokens, their offsets and the spans' text are the
    visitor's, so CanonicalValues and everything after it see what was typed."""
    text = "No capcity, we're regsitered with CQC in Sufolk"
    doc = nlp(text)
    plain = nlp.make_doc(text)
    assert doc.text == text
    assert [(t.text, t.idx) for t in doc] == [(t.text, t.idx) for t in plain]
    assert [t.lower_ for t in doc] == [t.lower_ for t in plain]
    assert {t.text: t.norm_ for t in doc if t.norm_ != t.lower_} == {
        "capcity": "capacity", "regsitered": "registered", "Sufolk": "suffolk",
    }
    found = find(doc, ALLOWED)
    assert [f.text for f in found] == [text[f.start:f.end] for f in found]
    assert ("capacity", "No capcity") in [(f.entity, f.text) for f in found]


def test_correct_words_and_council_names_keep_their_lower_case(nlp):
    """Words the vocabulary knows, council names among them, and spaCy's own norm
    exceptions ("n't" -> "not", "cos" -> "because") all get exactly their lower case, so the
    patterns match as they did on LOWER."""
    text = ("We can't take more cos we're full, Medway and Reading and Wyre and Rother "
            "councils, Kent's DPS, dom care, ICB, supported living, framework")
    doc = nlp(text)
    assert [t.norm_ for t in doc] == [t.lower_ for t in doc]


@pytest.mark.parametrize(
    "word,why",
    [
        ("xqzvbnmw", "nothing in either vocabulary is near"),
        ("cae", "three letters or fewer"),
        ("lvng", "a replaced letter in a 4-letter word: 'long' is another word"),
        ("opne", "'open' and 'one' are as near"),
        ("fimework", "an ordinary word ('firework') is nearer than 'framework'"),
        ("retendering", "'tendering' with letters added: another word"),
        ("capacity", "spelt right"),
        ("medway", "a council name"),
        ("casework", "common English"),
    ],
)
def test_left_alone(spelling, word, why):
    assert spelling.correction(word) is None, why


def test_tokens_that_are_not_plain_words_are_left_alone(nlp):
    text = "CAPCTY reg'd 2yrs capcity2"
    assert [t.norm_ for t in nlp(text)] == [t.lower_ for t in nlp.make_doc(text)]


def test_typos_listed_in_the_patterns_stand_for_their_word(spelling):
    """A typo listed beside its word in one file (framework|framwork) works wherever the
    word is a pattern; jargon listed beside a word two edits away is vocabulary."""
    assert spelling.typos["framwork"] == "framework"
    assert spelling.typos["regsitered"] == "registered"
    assert "retender" not in spelling.typos and "retender" in spelling.domain


@pytest.mark.parametrize("text, norms", [
    ("120 hrs", ["120", "hours"]),
    ("FW closed", ["framework", "closed"]),
    ("few pkgs thru the dps", ["few", "packages", "through", "the", "dps"]),
])
def test_abbreviations_are_read_as_their_words(nlp, text, norms):
    """language/abbreviations.yml: short as they are, and in capitals, they stand for their word."""
    assert [t.norm_ for t in nlp(text)] == norms


def test_ties_go_to_the_domain_and_to_no_replaced_letter():
    """With a small vocabulary: a domain word beats an equally near English word, a missing
    letter beats a replaced one whatever the frequencies, and a far word is left alone."""
    nlp = spacy.blank("en")
    spelling = nlp.add_pipe(FACTORY)
    english = {"carries": 1000, "listed": 900, "limited": 10, "carers": 5}
    spelling.learn({"carers", "limited", "listed"}, [], english)
    assert spelling.correction("carres") == "carers"  # also one edit from "carries"
    assert spelling.correction("limted") == "limited"  # "listed" is one replaced letter away
    assert spelling.correction("lmtd") is None  # three edits


def test_the_english_vocabulary_is_symspellpys_dictionary():
    english = english_frequencies()
    assert len(english) > 50_000
    assert english["registered"] > english["registration"] > 0
    assert all(len(w) >= 4 and w.isalpha() for w in english)


def test_saved_pipeline_corrects_the_same(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    text = "no capcity, regsitered with CQC, the framewrok is closed"
    assert [t.norm_ for t in loaded(text)] == [t.norm_ for t in nlp(text)]
    assert facts(loaded, text) == facts(nlp, text)



@pytest.mark.parametrize("text, lemmas", [
    ("thx", ["thank"]),                          # as "thanks" is read
    ("r u a bot", ["be", "you", "a", "bot"]),    # as "are you a bot"
    ("idk", ["dunno"]),
])
def test_shorthand_reaches_the_intent_classifier_as_its_word(nlp, text, lemmas):
    """Rasa's featurizers read the lemma; the patterns read NORM, which keeps what was typed."""
    doc = nlp(text)
    assert [t.lemma_ for t in doc] == lemmas
    assert [t.norm_ for t in doc] == text.split()


def test_a_corrected_word_reaches_the_intent_classifier_corrected(nlp):
    doc = nlp("framwork closd, regsitered")
    assert [t.lemma_ for t in doc] == [t.lemma_ for t in nlp("framework closed, registered")]


def test_saved_pipeline_keeps_the_shorthand(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert [t.lemma_ for t in loaded("thx, r u sure")] == [t.lemma_ for t in nlp("thx, r u sure")]
    assert loaded.get_pipe("spelling").shorthand == nlp.get_pipe("spelling").shorthand != {}

# Run away from the source tree: the installed package alone must carry the spelling step.
LOAD_INSTALLED = r'''
import json, sys
import spacy
nlp = spacy.load("en_route_advisor")
doc = nlp("no capcity, we're regsitered with cqc")
spelling = nlp.get_pipe("spelling")
print(json.dumps({
    "pipes": nlp.pipe_names,
    "modules": [type(nlp.get_pipe(n)).__module__ for n in ("spelling", "entity_ruler", "mentions")],
    "sources": [sys.modules[m].__file__ for m in ("en_route_advisor.spelling", "en_route_advisor.first_word")],
    "project_modules": sorted(m for m in sys.modules if m == "language" or m.startswith("language.")),
    "norms": [t.norm_ for t in doc],
    "ents": [[e.label_, e.ent_id_, e.text] for e in doc.ents],
    "version": nlp.meta["version"],
    "loaded_once": spacy.load("en_route_advisor") is nlp,
    "loaded_with_other_arguments": spacy.load("en_route_advisor", disable=["mentions"]).pipe_names,
}))
'''


def test_installed_package_carries_its_own_code(nlp, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_INSTALLED], check=False, cwd=tmp_path, env={**env, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["pipes"] == ["lemmatizer", "spelling", "entity_ruler", "mentions"]
    assert got["modules"] == ["en_route_advisor.spelling", "en_route_advisor.first_word", "en_route_advisor.first_word"]
    assert got["project_modules"] == []
    for source, name in zip(got["sources"], ("spelling.py", "first_word.py")):
        with open(source, "rb") as shipped:
            assert shipped.read() == (REPO_ROOT / "language" / name).read_bytes(), "run `make spacy`"
    assert got["norms"] == ["no", "capacity", ",", "we", "'re", "registered", "with", "cqc"]
    assert got["ents"] == [["capacity", "none", "no capcity"], ["registration", "registered", "we're regsitered with cqc"]]
    assert got["version"] == nlp.meta["version"], "run `make spacy`"
    # Rasa's SpacyNLP loads the pipeline for each of its two graph nodes: the second is the first.
    assert got["loaded_once"] is True
    assert got["loaded_with_other_arguments"] == ["lemmatizer", "spelling", "entity_ruler"]


def test_source_and_package_share_a_process(nlp):
    """The build's module (language.spelling) and the package's copy register one factory:
    loading the package after building from source, as the NLU scoring may, works."""
    installed = spacy.load("en_route_advisor")
    assert facts(installed, "no capcity") == facts(nlp, "no capcity") == [("capacity", "none")]
