"""The trained model as the running assistant parses: what the component tests can't see.

The spaCy pipeline's own tests (tests/language) read text as typed; Rasa's SpacyNLP hands spaCy
the text lower-cased unless `case_sensitive` is on (config.yml), and then an everyday word that
names a council (Reading, Bury) is never found inside a sentence. The route-question layer
(language/route_questions.py) runs between DIET and the FAQ selector only in the whole model,
and the answer it reads from a question's own sentence reaches the visitor only through the
selector (language/faq_selector.py).
"""
from __future__ import annotations

import pytest


def councils(result):
    return [e["value"] for e in result["entities"] if e["entity"] == "council"]


@pytest.mark.parametrize("text,council", [
    ("home care in Bury, cqc registered", "Bury Council"),
    ("we're a care home in Reading with two beds free", "Reading Borough Council"),
    ("supported living in Kent", "Kent County Council"),
])
def test_a_council_named_inside_a_sentence_is_found(nlu_model, text, council):
    (result, _), = nlu_model.parse([text])
    assert councils(result) == [council]


def test_an_everyday_word_in_lower_case_is_no_council(nlu_model):
    (result, _), = nlu_model.parse(["I was reading the guidance on frameworks, we do home care"])
    assert councils(result) == []


@pytest.mark.parametrize("text,answer", [
    ("we're on Croydon's framework, cqc registered, what's a mini competition?", "faq/call_off"),
    ("we're a dom care agency in Leeds with spare capacity - where are tenders published?", "faq/notices"),
    # Stop 35: several sentences, the question last, the facts before it about registration
    ("We're a home care agency in Harrow. CQC registration done last year, all our clients are "
     "self-paying. Where do councils publish their tenders?", "faq/notices"),
    ("hi. dom care in Swindon. we were reg'd with CQC 6 months ago and we've got 4 private clients. "
     "what's an approved list vs a DPS, are they the same thing?", "faq/approved_list"),
])
def test_a_statement_with_a_route_question_gets_the_answer(nlu_model, text, answer):
    from language.evaluation.scoring import intent_of

    (result, _), = nlu_model.parse([text])
    assert intent_of(result) == answer
