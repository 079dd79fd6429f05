"""Every combination of the asked facts gives the route the guide calls for.

The table below is written from the guide (shared/guide) and the domain facts, independently of
routes/decision-tree.yml: rules are read top to bottom and the first match wins; '*' is any.
"""
import itertools

import pytest

from routes.tree import load_tree
from routes.walker import Question, Recommendation, advise, answer_when_unsure, facts_on_path, known_facts

EXPECTED_ROUTES = """
service      nation    registration    stage        on_list    framework  dps      capacity   route
unregulated  *         *               *            *          *          open     *          dps
unregulated  *         *               *            *          *          *        *          direct_payments
*            *         unregistered    *            *          *          *        *          register_first
*            *         pending         *            *          *          *        *          register_first
*            *         adding_service  *            *          *          *        *          register_first
*            *         not_required    *            *          *          open     *          dps
*            *         not_required    *            *          *          *        *          direct_payments
care_home    scotland  *               *            *          *          *        *          framework
*            *         *               established  framework  *          *        *          framework
*            *         *               established  both       *          *        *          framework
*            *         *               established  dps        opening    *        limited|available  framework
*            *         *               established  dps        *          *        *          dps
*            *         *               *            *          opening    open     none       dps
*            *         *               new|expanding  *        opening    open     *          dps
*            *         *               established  *          opening    open     *          framework
*            *         *               *            *          *          open     *          dps
*            *         *               *            *          opening    *        *          framework
*            *         *               *            *          closed     closed   *          spot
*            *         *               *            *          *          *        none       spot
*            *         *               new|expanding  *        *          unknown  *          dps
*            *         *               *            *          unknown    closed   *          framework
*            *         *               established  *          unknown    unknown  *          framework
*            *         *               established  *          closed     unknown  *          dps
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
NO_PLACES = lambda text: None  # noqa: E731 - the nation is given in these facts
ASKED = TREE.asked_facts
COMBINATIONS = [dict(zip(ASKED, values)) for values in itertools.product(*(TREE.facts[f].answers for f in ASKED))]


def advice(facts, **kwargs):
    return advise(TREE, facts, nation_of_place=NO_PLACES, **kwargs)


def test_every_combination_is_enumerated():
    assert ASKED == ["service", "nation", "registration", "stage", "on_list", "dps", "framework", "capacity"]
    assert len(COMBINATIONS) == 4 * 4 * 5 * 3 * 4 * 3 * 3 * 3


def test_every_combination_gives_the_expected_route():
    wrong = []
    for facts in COMBINATIONS:
        given = advice(facts)
        assert isinstance(given, Recommendation), facts
        if given.route != expected_route(facts):
            wrong.append((facts, given.leaf, expected_route(facts)))
    assert not wrong, f"{len(wrong)} wrong, e.g. {wrong[:3]}"


def test_nhs_funded_care_goes_to_the_nhs_buyer_not_the_council():
    facts = dict(service="home_care", nation="england", registration="registered", funding="nhs", capacity="limited")
    given = advice(facts)
    assert given.leaf == "nhs_funded_care" and "integrated care board" in given.title


def test_specialist_work_with_nothing_known_open_leads_with_spot():
    base = dict(service="home_care", nation="england", registration="registered", stage="new",
                dps="unknown", framework="unknown", capacity="limited")
    assert advice(dict(base, work_type="specialist")).route == "spot"
    assert advice(dict(base, work_type="general")).route == "dps"


@pytest.mark.parametrize("facts", COMBINATIONS[::97])
def test_answering_only_what_is_asked_reaches_the_same_recommendation(facts):
    """Asking one question at a time and answering only what is asked gives the same route."""
    told = {}
    for _ in range(len(facts) + 1):
        given = advice(told)
        if isinstance(given, Recommendation):
            break
        assert given.fact not in told
        told[given.fact] = facts[given.fact]
    assert given.route == advice(facts).route


@pytest.mark.parametrize("facts", COMBINATIONS[::389])
def test_progress_counts_up_and_never_promises_less_than_is_left(facts):
    told, steps = {}, []
    while isinstance(given := advice(told), Question):
        steps.append(given.progress())
        told[given.fact] = facts[given.fact]
    assert [s["step"] for s in steps] == list(range(1, len(steps) + 1))
    assert all(s["of"] >= len(steps) for s in steps) and steps[0]["of"] == 8


def test_strongest_position_includes_spot_team_alongside_a_list_or_framework():
    for facts in COMBINATIONS:
        given = advice(facts)
        if given.route in ("dps", "framework") and given.leaf not in ("nhs_funded_care", "bid_for_nhs_framework", "non_regulated_lot"):
            assert "spot" in given.also, given.leaf


def test_both_routes_open_gives_both_and_the_spot_team():
    base = dict(service="home_care", nation="england", registration="registered", dps="open", framework="opening")
    newer = advice(dict(base, stage="new", capacity="available"))
    assert (newer.route, newer.also) == ("dps", ["framework", "spot"])
    established = advice(dict(base, stage="established", on_list="none", capacity="available"))
    assert (established.route, established.also) == ("framework", ["dps", "spot"])
    no_staff = advice(dict(base, stage="established", on_list="none", capacity="none"))
    assert no_staff.route == "dps" and "before you have staff" in " ".join(no_staff.why)


def test_the_nation_comes_from_the_council_then_the_regulator_and_is_not_asked():
    places = {"Newport": "wales", "Kent": "england"}.get
    said = dict(service="home_care", registration="registered", regulator="cqc", council="Newport")
    assert known_facts(TREE, said, places)["nation"] == "wales"
    assert known_facts(TREE, said, places)["cross_border"] == "yes"
    given = advise(TREE, said, nation_of_place=places)
    assert given.leaf == "register_in_the_new_nation" and "Care Inspectorate Wales" in given.title
    assert "nation" not in facts_on_path(TREE, said, places)
    assert known_facts(TREE, dict(said, council="somewhere else"), places)["nation"] == "england"
    assert known_facts(TREE, dict(said, nation="scotland", council="Kent"), places)["nation"] == "scotland"


def test_a_regulator_from_the_same_nation_is_not_cross_border():
    said = dict(service="home_care", registration="registered", regulator="ciw", council="Cardiff")
    known = known_facts(TREE, said, {"Cardiff": "wales"}.get)
    assert (known["nation"], known["cross_border"]) == ("wales", "no")


def test_implied_facts_are_not_asked():
    assert advice({"registration": "not_required", "nation": "england"}).fact == "dps"
    given = advice(dict(service="home_care", nation="england", registration="registered", on_list="framework",
                        capacity="limited"))
    assert given.leaf == "make_the_most_of_the_framework"


@pytest.mark.parametrize("nation, regulator", [
    ("england", "Care Quality Commission"), ("wales", "Care Inspectorate Wales"),
    ("scotland", "the Care Inspectorate"), ("northern_ireland", "RQIA"),
])
def test_unregistered_providers_are_sent_to_their_own_regulator(nation, regulator):
    for registration in ("unregistered", "pending"):
        given = advice(dict(service="home_care", registration=registration, nation=nation, capacity="limited"))
        assert given.route == "register_first"
        assert regulator in given.title


@pytest.mark.parametrize("fact", [f for f in ASKED])
def test_not_sure_twice_to_every_question_still_reaches_a_recommendation(fact):
    """Each question answered "not sure", twice where it has no "not sure" answer, moves on."""
    told, put = {}, []
    for _ in range(2 * len(ASKED) + 1):
        given = advice(told)
        if isinstance(given, Recommendation):
            break
        put.append(given.fact)
        value = answer_when_unsure(TREE, given.fact, put[:-1][-1:])
        if value is not None:
            told[given.fact] = value
    assert isinstance(given, Recommendation)
    assert all(put.count(f) <= 2 for f in put), put


def test_values_that_are_not_canonical_count_as_not_given():
    given = advice({"service": "home_care", "nation": "england", "registration": "we're registered", "stage": 3})
    assert isinstance(given, Question) and given.fact == "registration"


def test_council_name_is_used_in_wording_and_kept_tidy():
    given = advice(dict(service="home_care", nation="england", registration="registered", stage="new",
                        dps="open", framework="closed", capacity="limited", council="  Kent \n County Council "))
    assert given.facts["council"] == "Kent County Council"
    assert given.title == "Join the DPS or approved provider list at Kent County Council"


@pytest.mark.parametrize("fact, typed, value", [
    ("stage", "new", "new"), ("stage", "Already work with them!", "established"),
    ("nation", "northern ireland", "northern_ireland"), ("framework", "not sure", "unknown"), ("dps", "No", "closed"),
    ("capacity", "plenty", "available"), ("registration", "yes", "registered"), ("registration", "not", None),
    ("service", "care home", "care_home"), ("on_list", "both", "both"), ("stage", "we are new to all this", None),
])
def test_short_typed_answers_match_the_buttons(fact, typed, value):
    from routes.walker import match_answer

    assert match_answer(TREE, fact, typed) == value
