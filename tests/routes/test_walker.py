"""Every combination of facts gives the route the guide calls for.

The table below is written from the guide (shared/guide) and domain facts, independently of
routes/decision-tree.yml: rules are read top to bottom and the first match wins; '*' is any.
"""
import itertools

import pytest

from routes.tree import load_tree
from routes.walker import Question, Recommendation, advise

EXPECTED_ROUTES = """
registration  stage                 framework  dps      capacity            work_type          route
unregistered  *                     *          *        *                   *                  register_first
pending       *                     *          *        *                   *                  register_first
*             new|expanding         *          open     *                   *                  dps
*             new|expanding         opening    *        *                   *                  framework
*             established           opening    *        *                   *                  framework
*             established           *          open     *                   *                  dps
*             *                     closed     closed   *                   *                  spot
*             *                     *          *        none                *                  spot
*             *                     *          *        *                   specialist|urgent  spot
*             new|expanding         *          unknown  *                   *                  dps
*             new|expanding         unknown    closed   *                   *                  framework
*             established           unknown    *        *                   *                  framework
*             established           closed     unknown  *                   *                  dps
"""


def _rules():
    header, *rows = [line.split() for line in EXPECTED_ROUTES.strip().splitlines()]
    return [dict(zip(header, row)) for row in rows]


RULES = _rules()


def expected_route(facts):
    for rule in RULES:
        if all(rule[name] == "*" or facts[name] in rule[name].split("|") for name in rule if name != "route"):
            return rule["route"]
    raise AssertionError(f"the table has no row for {facts}")


TREE = load_tree()
ALL_FACTS = {name: list(fact.answers) for name, fact in TREE.facts.items()}
COMBINATIONS = [dict(zip(ALL_FACTS, values)) for values in itertools.product(*ALL_FACTS.values())]


def test_every_combination_is_enumerated():
    assert len(COMBINATIONS) == 4 * 4 * 3 * 4 * 3 * 3 * 3


def test_every_combination_gives_the_expected_route():
    wrong = []
    for facts in COMBINATIONS:
        advice = advise(TREE, facts)
        assert isinstance(advice, Recommendation), facts
        if advice.route != expected_route(facts):
            wrong.append((facts, advice.route, expected_route(facts)))
    assert not wrong, f"{len(wrong)} wrong, e.g. {wrong[:3]}"


def test_every_recommendation_is_explained():
    for facts in COMBINATIONS:
        advice = advise(TREE, facts)
        assert advice.title and advice.why and advice.next_steps, advice.leaf
        assert advice.route not in advice.also


@pytest.mark.parametrize("facts", [f for f in COMBINATIONS if f["registration"] in ("registered", "not_required")][::37])
def test_answering_only_what_is_asked_reaches_the_same_recommendation(facts):
    """Asking one question at a time and answering only what is asked gives the same result."""
    told = {}
    for _ in range(len(facts) + 1):
        advice = advise(TREE, told)
        if isinstance(advice, Recommendation):
            break
        assert advice.fact not in told
        told[advice.fact] = facts[advice.fact]
    assert advice.route == advise(TREE, facts).route


def test_both_open_routes_are_recommended_together():
    base = dict(registration="registered", nation="england")
    newer = advise(TREE, dict(base, stage="new", framework="opening", dps="open"))
    assert (newer.route, "framework" in newer.also) == ("dps", True)
    established = advise(TREE, dict(base, stage="established", framework="opening", dps="open"))
    assert (established.route, "dps" in established.also) == ("framework", True)


def test_strongest_position_includes_spot_team_alongside_dps_or_framework():
    for facts in COMBINATIONS:
        advice = advise(TREE, facts)
        if advice.route in ("dps", "framework"):
            assert "spot" in advice.also, advice.leaf


@pytest.mark.parametrize(
    "nation, regulator",
    [("england", "Care Quality Commission"), ("wales", "Care Inspectorate Wales"),
     ("scotland", "the Care Inspectorate"), ("northern_ireland", "RQIA")],
)
def test_unregistered_providers_are_sent_to_their_own_regulator(nation, regulator):
    for registration in ("unregistered", "pending"):
        advice = advise(TREE, {"registration": registration, "nation": nation, "dps": "open"})
        assert advice.route == "register_first"
        assert regulator in advice.title


def test_unregistered_provider_is_asked_their_nation_before_anything_else():
    advice = advise(TREE, {"registration": "unregistered", "stage": "new"})
    assert isinstance(advice, Question) and advice.fact == "nation"


def test_first_question_is_registration_with_buttons_and_progress():
    advice = advise(TREE, {})
    assert advice.fact == "registration"
    assert [value for value, _ in advice.answers] == ["registered", "pending", "unregistered", "not_required"]
    assert advice.progress() == {"step": 1, "of": 6}


def test_one_message_with_registration_stage_and_an_open_dps_is_enough():
    """'new dom care agency, CQC registered last month, Kent's DPS is open' needs no more questions."""
    advice = advise(TREE, {"registration": "registered", "stage": "new", "dps": "open", "council": "Kent"})
    assert isinstance(advice, Recommendation) and advice.route == "dps"


def test_capacity_and_work_type_are_asked_only_when_the_visitor_is_unsure_what_is_open():
    unsure = advise(TREE, {"registration": "registered", "stage": "new", "dps": "unknown", "framework": "unknown"})
    assert isinstance(unsure, Question) and unsure.fact == "capacity"
    assert advise(TREE, {"registration": "registered", "stage": "new", "dps": "unknown", "framework": "unknown",
                         "capacity": "limited"}).fact == "work_type"


def test_values_that_are_not_canonical_count_as_not_given():
    advice = advise(TREE, {"registration": "we're registered", "stage": 3})
    assert isinstance(advice, Question) and advice.fact == "registration"


def test_council_name_is_used_in_wording_and_kept_tidy():
    advice = advise(TREE, {"registration": "registered", "capacity": "limited", "work_type": "general",
                           "stage": "new", "dps": "open", "council": "  Kent \n County Council "})
    assert advice.facts["council"] == "Kent County Council"
    assert "Kent County Council's DPS" in advice.title


def test_scotland_caveat_shown_unless_another_nation_is_known():
    base = dict(registration="registered", capacity="limited", work_type="general", stage="new", dps="open")
    assert any("Scotland" in c for c in advise(TREE, base).caveats)
    assert not any("Scotland" in c for c in advise(TREE, dict(base, nation="england")).caveats)


def test_dps_caveat_states_the_2029_end_date():
    advice = advise(TREE, dict(registration="registered", capacity="limited", work_type="general",
                               stage="new", dps="open"))
    assert any("23 February 2029" in c and "dynamic market" in c for c in advice.caveats)


@pytest.mark.parametrize("fact, typed, value", [
    ("stage", "new", "new"), ("stage", "Established!", "established"), ("nation", "northern ireland", "northern_ireland"),
    ("framework", "not sure", "unknown"), ("dps", "No", "closed"), ("capacity", "plenty", "available"),
    ("registration", "yes", "registered"), ("registration", "not", None), ("stage", "we are new to all this", None),
])
def test_short_typed_answers_match_the_buttons(fact, typed, value):
    from routes.walker import match_answer

    assert match_answer(TREE, fact, typed) == value
