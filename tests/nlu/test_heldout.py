"""The trained model on text it never saw in training.

The figures themselves are benchmarks (`make evaluate`, target 0.95); these floors catch a
model that has regressed, and the phrases from the brief must each land exactly.
"""
import pytest

from tests.nlu.scoring import entity_value_f1, intent_accuracy, load_examples, mistakes, parse_all
from tests.support.servers import find_model

FLOOR = 0.90

BRIEF_PHRASES = [
    ("we're a start-up", {("stage", "new")}),
    ("been trading 12 years", {("stage", "established")}),
    ("branching out into a neighbouring council", {("stage", "expanding")}),
    ("our CQC application is in progress", {("registration", "pending"), ("regulator", "cqc")}),
    ("we do companionship only, no personal care",
     {("registration", "not_required"), ("service", "unregulated")}),
    ("we could take two more packages", {("capacity", "limited")}),
    ("we can pick up 300 hours a week", {("capacity", "available")}),
    ("actually we're not registered yet", {("registration", "unregistered")}),
    ("I've just seen the framework is being re-tendered", {("framework", "opening")}),
    ("new dom care agency, CQC registered last month, Kent's DPS is open",
     {("stage", "new"), ("service", "home_care"), ("registration", "registered"), ("regulator", "cqc"),
      ("dps", "open")}),
    # second edition
    ("we run a care home and want to add home care", {("registration", "adding_service"), ("service", "home_care")}),
    ("we're on Kent's framework", {("on_list", "framework")}),
    ("we're already on their approved list", {("on_list", "dps"), ("stage", "established")}),
    ("not on any framework or list, just spot", {("on_list", "none")}),
    ("mostly CHC packages for the ICB", {("funding", "nhs"), ("work_type", "specialist")}),
    ("I think the DPS might be open", {("dps", "unknown")}),
    ("registered with Care Inspectorate Wales", {("registration", "registered"), ("regulator", "ciw")}),
]


@pytest.fixture(scope="module")
def model():
    return find_model("models")


@pytest.fixture(scope="module")
def heldout(model):
    return parse_all(model, load_examples())


def test_heldout_intents_above_floor(heldout):
    assert intent_accuracy(heldout) >= FLOOR, "\n".join(mistakes(heldout)[:20])


@pytest.mark.parametrize("entity", ["stage", "registration", "capacity"])
def test_heldout_contract_entities_above_floor(heldout, entity):
    assert entity_value_f1(heldout)[entity] >= FLOOR, "\n".join(mistakes(heldout)[:20])


def test_brief_phrases_land_on_the_right_values(model):
    from tests.nlu.scoring import Example

    parsed = parse_all(model, [Example(text, "inform", facts) for text, facts in BRIEF_PHRASES])
    wrong = [(p.example.text, sorted(p.entities)) for p in parsed if p.entities != p.example.entities]
    assert not wrong
    assert all(p.intent == "inform" for p in parsed), [(p.example.text, p.intent) for p in parsed]
