"""Whole conversations over the REST channel against the real Rasa and action servers."""
import json
from pathlib import Path

import pytest
import yaml

from tests.support.visitor import Visitor, question, said


def recommendation(messages):
    found = [m["custom"]["recommendation"] for m in messages if "recommendation" in (m.get("custom") or {})]
    assert len(found) == 1, f"expected one recommendation in {messages}"
    return found[0]


@pytest.fixture
def visitor(assistant):
    return Visitor(assistant)


ONE_MESSAGE = ("new dom care agency, CQC registered last month, Kent's DPS is open, the framework's closed "
               "and we could take a few more packages")


def test_everything_in_one_message_gets_the_recommendation_in_that_turn(visitor):
    reply = visitor.say(ONE_MESSAGE)
    advice = recommendation(reply)
    assert advice["route"] == "dps"
    assert advice["facts"]["stage"] == "new" and advice["facts"]["registration"] == "registered"
    assert advice["facts"]["dps"] == "open" and advice["facts"]["capacity"] == "limited"
    assert advice["facts"]["nation"] == "england"  # from Kent and CQC: never asked
    message, offer = [m["text"] for m in reply if m.get("text")]
    assert message.startswith("My recommendation: Join the DPS") and len(message.split()) <= 120
    assert "tell me more" in message and "free, honest assessment" in offer


def test_tell_me_more_gives_the_reasons_steps_and_caveats(visitor):
    recommendation(visitor.say(ONE_MESSAGE))
    text = said(visitor.say("tell me more"))
    assert "Why:" in text and "All the steps:" in text and "Worth knowing:" in text
    assert "23 February 2029" in text


def test_buttons_one_question_at_a_time_to_spot(visitor):
    reply = visitor.say("hi")
    assert "route advisor" in said(reply)
    for payload, next_fact in [
        ('/inform{"service": "home_care"}', "nation"),
        ('/inform{"nation": "england"}', "registration"),
        ('/inform{"registration": "registered"}', "stage"),
        ('/inform{"stage": "established"}', "on_list"),
        ('/inform{"on_list": "none"}', "dps"),
        ('/inform{"dps": "closed"}', "framework"),
        ('/inform{"framework": "closed"}', "capacity"),
    ]:
        fact, buttons = question(reply)
        assert payload in buttons, (fact, buttons)
        reply = visitor.say(payload)
        assert question(reply)[0] == next_fact, said(reply)
    advice = recommendation(visitor.say('/inform{"capacity": "limited"}'))
    assert advice["route"] == "spot"
    assert {k: advice["facts"][k] for k in ("service", "stage", "on_list", "framework", "dps", "capacity")} == {
        "service": "home_care", "stage": "established", "on_list": "none", "framework": "closed", "dps": "closed",
        "capacity": "limited"}


def test_not_sure_twice_moves_on_and_says_what_was_assumed(visitor):
    visitor.say("hi")
    assert question(visitor.say('/inform{"service": "home_care"}'))[0] == "nation"
    reply = visitor.say("not sure")
    assert "That's fine." in said(reply) and question(reply)[0] == "nation"
    reply = visitor.say("no idea")
    assert question(reply)[0] == "registration", said(reply)
    reply = visitor.say("I don't know")
    assert question(reply)[0] == "registration"
    reply = visitor.say("dunno")  # assumed not yet registered: register first
    advice = recommendation(reply)
    assert advice["route"] == "register_first" and advice["assumed"] == ["nation", "registration"]
    assert 'I assumed "England" and "Not yet registered"' in said(reply)


def test_free_text_answers_to_each_question(visitor):
    assert question(visitor.say("hello"))[0] == "service"
    assert question(visitor.say("we do home care"))[0] == "nation"
    assert question(visitor.say("we're in England"))[0] == "registration"
    assert question(visitor.say("yes we're registered with CQC"))[0] == "stage"
    assert question(visitor.say("we're branching out into a neighbouring council"))[0] == "dps"
    assert question(visitor.say("not sure"))[0] == "framework"
    assert question(visitor.say("no idea"))[0] == "capacity"
    advice = recommendation(visitor.say("we could take two more packages"))
    assert advice["route"] == "dps" and advice["also"] == ["spot"]
    assert advice["facts"]["capacity"] == "limited" and advice["facts"]["stage"] == "expanding"


def test_a_doubt_about_the_question_asked_is_taken_as_not_sure(visitor):
    """"not sure if we have capacity" at the capacity question: the tree's assumption, said as one."""
    assert question(visitor.say("established home care agency in Kent, CQC registered, not on any lists, "
                                "the DPS is closed and the framework is closed"))[0] == "capacity"
    reply = visitor.say("not sure if we have capacity right now")
    advice = recommendation(reply)
    assert advice["facts"]["capacity"] == "limited" and advice["assumed"] == ["capacity"]
    assert 'I assumed "A few packages"' in said(reply)


def test_cross_border_provider_is_told_to_register_in_wales(visitor):
    advice = recommendation(visitor.say(
        "We're CQC registered, based in Bristol, starting home care in Newport. Newport's DPS is open"))
    assert advice["route"] == "register_first" and advice["facts"]["nation"] == "wales"
    assert "Care Inspectorate Wales" in advice["title"]


def test_one_word_answers_typed_instead_of_clicked(visitor):
    visitor.say("hi")
    assert question(visitor.say("home care"))[0] == "nation"
    assert question(visitor.say("England"))[0] == "registration"
    assert question(visitor.say("registered"))[0] == "stage"
    assert question(visitor.say("new"))[0] == "dps"
    assert question(visitor.say("closed"))[0] == "framework"
    assert question(visitor.say("closed"))[0] == "capacity"
    assert recommendation(visitor.say("plenty"))["route"] == "spot"


def test_correction_after_the_recommendation_rederives_it(visitor):
    assert recommendation(visitor.say(ONE_MESSAGE))["route"] == "dps"
    advice = recommendation(visitor.say("actually we're not registered yet"))
    assert advice["route"] == "register_first"
    assert advice["facts"]["registration"] == "unregistered"


def test_framework_news_is_added_to_the_recommendation(visitor):
    advice = recommendation(visitor.say(ONE_MESSAGE))
    assert "framework" not in advice["also"]
    advice = recommendation(visitor.say("I've just seen the framework is being re-tendered"))
    assert advice["route"] == "dps" and "framework" in advice["also"]


def test_start_over_forgets_everything(visitor):
    recommendation(visitor.say(ONE_MESSAGE))
    reply = visitor.say("start over")
    assert "start again" in said(reply)
    assert question(reply)[0] == "service"
    reply = visitor.say('/inform{"service": "care_home"}')
    assert question(reply)[0] == "nation"


def test_question_about_routes_is_answered_then_the_question_repeated(visitor):
    visitor.say("hi")
    visitor.say('/inform{"service": "home_care"}')
    reply = visitor.say("what's the difference between a framework and a DPS?")
    assert "pass/fail" in said(reply) and "fixed period" in said(reply)
    assert question(reply)[0] == "nation"


def test_question_sent_with_answers_during_the_questions_is_answered_and_the_facts_kept(visitor):
    visitor.say("hi")
    visitor.say('/inform{"service": "home_care"}')
    reply = visitor.say("we're on Croydon's framework, cqc registered, what's a mini competition?")
    assert "mini-competition, where providers on the framework bid" in said(reply)
    assert said(reply).count("Work is called off a framework") == 1
    asking, _ = question(reply)
    assert asking not in (None, "nation", "registration", "stage", "on_list")


@pytest.mark.parametrize("asked, expected", [
    ("what is a spot contract?", "one person"),
    ("how long do frameworks last?", "light touch"),
    ("are DPSs still a thing?", "2029"),
])
def test_route_questions_get_answers_from_the_guide(visitor, asked, expected):
    assert expected in said(visitor.say(asked))


def test_bot_challenge_is_answered_honestly(visitor):
    reply = said(visitor.say("am I talking to a real person?"))
    assert "not a person" in reply and "contact" in reply


# Over MAX_MESSAGE_CHARS the channel itself answers, before NLU (tests/serving/test_bad_input.py).
BAD_INPUT = {"empty": "", "whitespace": "   \n ", "emoji": "🙂🙂🙂",
             "French": "Bonjour, je voudrais de l'aide", "markup": "<script>alert('x')</script>",
             "Russian": "Здравствуйте, мы агентство"}


@pytest.mark.parametrize("text", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_gets_a_polite_reply_and_loses_nothing(visitor, text):
    for payload in ('/inform{"service": "home_care"}', '/inform{"nation": "england"}', '/inform{"registration": "registered"}'):
        visitor.say(payload)
    reply = visitor.say(text)
    assert said(reply).strip(), f"no reply to {text[:20]!r}"
    assert len(reply) <= 4, f"the assistant looped: {reply}"
    assert question(reply)[0] == "stage", "the question is asked again"
    visitor.say("we're new and the council's DPS is open")
    visitor.say('/inform{"framework": "closed"}')
    advice = recommendation(visitor.say('/inform{"capacity": "available"}'))
    assert advice["facts"]["registration"] == "registered" and advice["route"] == "dps"


SCENARIOS = yaml.safe_load((Path(__file__).parents[1] / "routes" / "scenarios.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", SCENARIOS[::4][:14], ids=lambda row: row["situation"][:60])
def test_scenarios_through_the_running_assistant(visitor, row):
    """A sample of the consultant's scenario table, said in one message of facts, over REST."""
    reply = visitor.say("/inform" + json.dumps(row["facts"]))
    advice = recommendation(reply)
    assert (advice["route"], sorted(advice["also"])) == (row["route"], sorted(row["also"])), row["situation"]
    message, offer = [m["text"] for m in reply if m.get("text")]
    assert len(message.split()) <= 120 and "assessment" in offer


def test_why_during_the_questions_says_why_it_matters_then_asks_again(visitor):
    visitor.say("hi")
    reply = visitor.say("why?")
    assert "The kind of service decides" in said(reply)
    assert question(reply)[0] == "service"
