"""Tests of the fact patterns and the spaCy pipeline built from them (no Rasa training).

Each phrase must yield the fact (entity = canonical value) that a visitor means, and
look-alikes (questions, "registered manager") must yield none. The pipeline is built in
memory from language/patterns/*.yml exactly as `python -m language.build_pipeline` does.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from language.build_pipeline import build, make_nlp
from language.contract import FACT_ENTITIES, REPO_ROOT, allowed_values
from language.pattern_format import IGNORE, PatternError

FACTS = set(FACT_ENTITIES)
PATTERNS = REPO_ROOT / "language" / "patterns"


@pytest.fixture(scope="module")
def nlp():
    return make_nlp()


def facts(nlp, text):
    """[(entity, value)] the pipeline finds in text, in order."""
    return [(e.label_, e.ent_id_) for e in nlp(text).ents if e.label_ in FACTS]


# (phrase, entity, canonical value): the phrase must contain this fact.
CASES = [
    # stage
    ("we're a start-up", "stage", "new"),
    ("We're a Start-Up", "stage", "new"),
    ("we're a startup", "stage", "new"),
    ("brand new agency", "stage", "new"),
    ("new dom care agency", "stage", "new"),
    ("we only set up 8 months ago", "stage", "new"),
    ("we've been trading for 6 months", "stage", "new"),
    ("never worked with a council before", "stage", "new"),
    ("this would be our first council contract", "stage", "new"),
    ("we're new to council work", "stage", "new"),
    ("only self-funders so far", "stage", "new"),
    ("been trading 12 years", "stage", "established"),
    ("we've been going for over 20 years", "stage", "established"),
    ("established in 2011", "stage", "established"),
    ("we're well established", "stage", "established"),
    ("we already work with Surrey", "stage", "established"),
    ("we're the incumbent provider", "stage", "established"),
    ("we're already on their approved list", "stage", "established"),
    ("branching out into a neighbouring council", "stage", "expanding"),
    ("we're expanding into Kent", "stage", "expanding"),
    ("looking to expand", "stage", "expanding"),
    ("we work with other councils", "stage", "expanding"),
    ("opening a second branch", "stage", "expanding"),
    ("diversifying into extra care", "stage", "expanding"),
    # registration
    ("our CQC application is in progress", "registration", "pending"),
    ("we've applied to CQC", "registration", "pending"),
    ("waiting on CIW", "registration", "pending"),
    ("registration pending", "registration", "pending"),
    ("had our registration interview", "registration", "pending"),
    ("we're CQC registered", "registration", "registered"),
    ("CQC-registered", "registration", "registered"),
    ("registered last month", "registration", "registered"),
    ("registered with the Care Inspectorate", "registration", "registered"),
    ("RQIA registered", "registration", "registered"),
    ("rated Good by CQC", "registration", "registered"),
    ("our CQC rating is outstanding", "registration", "registered"),
    ("we're not registered yet", "registration", "unregistered"),
    ("actually we aren’t registered", "registration", "unregistered"),
    ("not CQC registered", "registration", "unregistered"),
    ("we haven't applied yet", "registration", "unregistered"),
    ("no CQC registration", "registration", "unregistered"),
    ("we do companionship only, no personal care", "registration", "not_required"),
    ("we don't provide personal care", "registration", "not_required"),
    ("non-regulated services only", "registration", "not_required"),
    ("befriending", "registration", "not_required"),
    ("we don't need to be registered", "registration", "not_required"),
    # capacity
    ("we could take two more packages", "capacity", "limited"),
    ("we can do about 20 hours a week extra", "capacity", "limited"),
    ("room for one or two more", "capacity", "limited"),
    ("a couple more clients", "capacity", "limited"),
    ("limited capacity", "capacity", "limited"),
    ("3 beds free", "capacity", "limited"),
    ("we can pick up 300 hours a week", "capacity", "available"),
    ("plenty of capacity", "capacity", "available"),
    ("capacity for 500 hours", "capacity", "available"),
    ("we've just recruited 15 new carers", "capacity", "available"),
    ("we could start new packages straight away", "capacity", "available"),
    ("we've got 3 carers free", "capacity", "limited"),
    ("we have 12 carers waiting for work", "capacity", "available"),
    ("we're fully booked", "capacity", "none"),
    ("we can't take on any more packages", "capacity", "none"),
    ("no capacity", "capacity", "none"),
    ("we have a waiting list", "capacity", "none"),
    # framework
    ("the framework is being re-tendered", "framework", "opening"),
    ("the framework is being retendered", "framework", "opening"),
    ("the framework is open", "framework", "opening"),
    ("the home care framework opens in April", "framework", "opening"),
    ("the tender is out now", "framework", "opening"),
    ("the framework is closed", "framework", "closed"),
    ("framework runs until 2027", "framework", "closed"),
    ("we missed the framework", "framework", "closed"),
    ("there's no framework", "framework", "closed"),
    ("the framework isn't due to reopen for years", "framework", "closed"),
    ("not sure about the framework", "framework", "unknown"),
    ("no idea if there's a framework", "framework", "unknown"),
    # dps
    ("Kent's DPS is open", "dps", "open"),
    ("the dynamic purchasing system is open to new providers", "dps", "open"),
    ("the approved provider list opens every quarter", "dps", "open"),
    ("they're taking new providers onto the DPS", "dps", "open"),
    ("they run a dynamic market", "dps", "open"),
    ("they've got a DPS", "dps", "open"),  # a lone 've in a pattern is one token
    ("the DPS is closed", "dps", "closed"),
    ("there's no DPS", "dps", "closed"),
    ("the approved list is closed to new providers", "dps", "closed"),
    ("not sure if there's a DPS", "dps", "unknown"),
    ("I don't know if they have an approved provider list", "dps", "unknown"),
    # work_type
    ("mainly hospital discharge", "work_type", "urgent"),
    ("emergency placements", "work_type", "urgent"),
    ("step-down beds", "work_type", "urgent"),
    ("complex needs", "work_type", "specialist"),
    ("learning disabilities", "work_type", "specialist"),
    ("dementia care", "work_type", "specialist"),
    ("general home care", "work_type", "general"),
    ("older people", "work_type", "general"),
    ("not sure what type of work", "work_type", "unknown"),
    # nation
    ("we're in England", "nation", "england"),
    ("based in Wales", "nation", "wales"),
    ("Scottish provider", "nation", "scotland"),
    ("we're in Northern Ireland", "nation", "northern_ireland"),
    ("NI based", "nation", "northern_ireland"),
]


@pytest.mark.parametrize("text,entity,value", CASES, ids=[c[0] for c in CASES])
def test_phrase_gives_fact(nlp, text, entity, value):
    assert (entity, value) in facts(nlp, text)


def test_several_facts_in_one_message(nlp):
    text = "new dom care agency, CQC registered last month, Kent's DPS is open"
    assert facts(nlp, text) == [("stage", "new"), ("registration", "registered"), ("dps", "open")]


def test_framework_and_dps_in_one_sentence_are_kept_apart(nlp):
    text = "the framework is closed but the DPS is open"
    assert facts(nlp, text) == [("framework", "closed"), ("dps", "open")]


# Look-alikes: questions and other uses of the same words carry no fact.
NO_FACTS = [
    "do I need to be CQC registered?",
    "can we bid before we're registered?",
    "we have a registered manager",
    "we're registered with Companies House",
    "is the DPS open?",
    "what is a framework?",
    "how do I join a DPS?",
    "when does the framework open?",
    "what's the difference between a framework and a DPS",
    "does a requires improvement rating stop me bidding",
    "what's the weather like tomorrow",
    "I need a carer for my dad",
    "hello",
    "he lacks mental capacity",
    "zero hours contracts",
    "in general, how does this work?",
]


@pytest.mark.parametrize("text", NO_FACTS)
def test_look_alike_gives_no_fact(nlp, text):
    assert facts(nlp, text) == []


def test_negation_beats_the_positive_phrase(nlp):
    assert facts(nlp, "we are not registered") == [("registration", "unregistered")]
    assert facts(nlp, "we are registered") == [("registration", "registered")]


def test_every_pattern_id_is_canonical(nlp):
    allowed = allowed_values()
    for pattern in nlp.get_pipe("entity_ruler").patterns:
        if pattern["label"] == IGNORE:
            assert pattern["id"] in FACTS
        else:
            assert pattern["id"] in allowed[pattern["label"]], pattern


def test_build_is_deterministic(tmp_path):
    """Same files, same output, whatever Python's hash seed (separate processes)."""
    for seed in ("1", "2"):
        subprocess.run(
            [sys.executable, "-m", "language.build_pipeline", str(tmp_path / seed)],
            cwd=REPO_ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True,
        )
    for name in ("meta.json", "entity_ruler/patterns.jsonl", "config.cfg"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_build_writes_nothing_when_a_file_is_bad(patterns_copy, tmp_path):
    (patterns_copy / "nation.yml").write_text("atlantis: [atlantis]\n")
    with pytest.raises(PatternError, match="nation.yml"):
        build(tmp_path / "out", patterns_copy)
    assert not (tmp_path / "out").exists()


# --- malformed pattern files fail the build, naming the file -----------------------


@pytest.fixture()
def patterns_copy(tmp_path):
    target = tmp_path / "patterns"
    shutil.copytree(PATTERNS, target)
    return target


@pytest.mark.parametrize(
    "content,message",
    [
        ("new: [start-up\n", "not valid YAML"),
        ("brand_new: [start-up]\n", "not a canonical value"),
        ("new: start-up\n", "non-empty list"),
        ("new: [<number> years]\n", "unknown marker"),
        ("new: [$NOPE agency]\n", "not defined"),
        ("new: [[{LOWER: 1, BOGUS: x}]]\n", "invalid spaCy token pattern"),
        ("new: [no]\n", "quote it"),
        ("new: [start-up]\nestablished: [start-up]\n", "given for"),
        ("new:\n  - x? y?\n", "can match nothing"),
    ],
)
def test_malformed_file_fails_naming_the_file(patterns_copy, content, message):
    bad = patterns_copy / "stage.yml"
    bad.write_text(content)
    with pytest.raises(PatternError) as err:
        make_nlp(patterns_copy)
    assert str(bad) in str(err.value)
    assert message in str(err.value)


def test_unknown_entity_file_fails(patterns_copy):
    (patterns_copy / "mood.yml").write_text("happy: [great]\n")
    with pytest.raises(PatternError, match="mood.yml"):
        make_nlp(patterns_copy)


def test_values_come_from_domain_yml(patterns_copy, tmp_path):
    domain = tmp_path / "domain.yml"
    real = yaml.safe_load((REPO_ROOT / "domain.yml").read_text())
    real["slots"]["stage"]["values"] = ["new", "established"]
    domain.write_text(yaml.safe_dump(real))
    with pytest.raises(PatternError, match="'expanding' is not a canonical value"):
        make_nlp(patterns_copy, domain_path=domain)


# --- the training data agrees with the patterns ---------------------------------------

ANNOTATION = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([a-z_]+\))")


def _examples():
    for path in sorted((REPO_ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" in block:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        yield path.name, line.strip()[2:]


def _parse(example):
    """Plain text and [(start, end, entity, value)] of an annotated example."""
    text, spans, pos = "", [], 0
    for m in ANNOTATION.finditer(example):
        text += example[pos:m.start()]
        ann = m.group(2)
        if ann.startswith("{"):
            meta = yaml.safe_load(ann)
            entity, value = meta["entity"], meta.get("value", m.group(1))
        else:
            entity, value = ann[1:-1], m.group(1)
        spans.append((len(text), len(text) + len(m.group(1)), entity, value))
        text += m.group(1)
        pos = m.end()
    return text + example[pos:], spans


def test_training_annotations_match_the_patterns(nlp):
    """Every fact annotation is exactly what the ruler finds, and nothing more."""
    problems = []
    for name, example in _examples():
        text, spans = _parse(example)
        want = [(s, e, ent, val) for s, e, ent, val in spans if ent in FACTS]
        got = [(e.start_char, e.end_char, e.label_, e.ent_id_) for e in nlp(text).ents if e.label_ in FACTS]
        if want != got:
            problems.append(f"{name}: {example!r}\n  annotated {want}\n  ruler     {got}")
    assert not problems, "\n".join(problems)
