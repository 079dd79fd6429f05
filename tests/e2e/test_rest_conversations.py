"""Whole conversations over the REST channel against the real Rasa and action servers."""
import uuid

import pytest
import requests


class Visitor:
    """One conversation over REST: say() returns the bot's messages for that turn."""

    def __init__(self, assistant):
        self.url = f"{assistant.rasa_url}/webhooks/rest/webhook"
        self.sender = f"e2e-{uuid.uuid4().hex[:8]}"

    def say(self, text):
        response = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json()


def said(messages):
    return "\n".join(m.get("text", "") for m in messages)


def recommendation(messages):
    found = [m["custom"]["recommendation"] for m in messages if "recommendation" in (m.get("custom") or {})]
    assert len(found) == 1, f"expected one recommendation in {messages}"
    return found[0]


def question(messages):
    """The fact being asked (from the progress payload) and the buttons' payloads."""
    asking = [m["custom"]["asking"] for m in messages if "asking" in (m.get("custom") or {})]
    buttons = [b["payload"] for m in messages for b in m.get("buttons", [])]
    return (asking[-1] if asking else None), buttons


@pytest.fixture
def visitor(assistant):
    return Visitor(assistant)


def test_everything_in_one_message_gets_the_recommendation_in_that_turn(visitor):
    reply = visitor.say("new dom care agency, CQC registered last month, Kent's DPS is open")
    advice = recommendation(reply)
    assert advice["route"] == "dps"
    assert advice["facts"]["stage"] == "new" and advice["facts"]["registration"] == "registered"
    assert advice["facts"]["dps"] == "open"
    assert "Join" in said(reply) and "Why:" in said(reply) and "What to do next:" in said(reply)


def test_buttons_one_question_at_a_time_to_spot(visitor):
    reply = visitor.say("hi")
    assert "route advisor" in said(reply)
    assert question(reply)[0] == "registration"
    for payload, next_fact in [
        ('/inform{"registration": "registered"}', "stage"),
        ('/inform{"stage": "established"}', "framework"),
        ('/inform{"framework": "closed"}', "dps"),
    ]:
        fact, buttons = question(reply)
        assert payload in buttons
        reply = visitor.say(payload)
        assert question(reply)[0] == next_fact, said(reply)
    advice = recommendation(visitor.say('/inform{"dps": "closed"}'))
    assert advice["route"] == "spot"
    assert advice["facts"] == {"registration": "registered", "stage": "established",
                               "framework": "closed", "dps": "closed"}


def test_free_text_answers_to_each_question(visitor):
    assert question(visitor.say("hello"))[0] == "registration"
    assert question(visitor.say("yes we're registered with CQC"))[0] == "stage"
    assert question(visitor.say("we're branching out into a neighbouring council"))[0] == "dps"
    assert question(visitor.say("not sure"))[0] == "framework"
    assert question(visitor.say("no idea"))[0] == "capacity"
    assert question(visitor.say("we could take two more packages"))[0] == "work_type"
    advice = recommendation(visitor.say("mostly complex needs and learning disabilities"))
    assert advice["route"] == "spot" and set(advice["also"]) == {"dps", "framework"}
    assert advice["facts"]["capacity"] == "limited" and advice["facts"]["stage"] == "expanding"


def test_one_word_answers_typed_instead_of_clicked(visitor):
    visitor.say("hi")
    assert question(visitor.say("registered"))[0] == "stage"
    assert question(visitor.say("established"))[0] == "framework"
    assert question(visitor.say("closed"))[0] == "dps"
    assert recommendation(visitor.say("no"))["route"] == "spot"


def test_correction_after_the_recommendation_rederives_it(visitor):
    assert recommendation(visitor.say("new home care agency, CQC registered, the council's DPS is open"))["route"] == "dps"
    reply = visitor.say("actually we're not registered yet")
    assert question(reply)[0] == "nation"
    advice = recommendation(visitor.say('/inform{"nation": "england"}'))
    assert advice["route"] == "register_first"
    assert advice["facts"]["registration"] == "unregistered"


def test_framework_news_is_added_to_the_recommendation(visitor):
    advice = recommendation(visitor.say("new dom care agency, CQC registered last month, Kent's DPS is open"))
    assert "framework" not in advice["also"]
    advice = recommendation(visitor.say("I've just seen the framework is being re-tendered"))
    assert advice["route"] == "dps" and "framework" in advice["also"]


def test_start_over_forgets_everything(visitor):
    recommendation(visitor.say("new dom care agency, CQC registered last month, Kent's DPS is open"))
    reply = visitor.say("start over")
    assert "start again" in said(reply)
    assert question(reply)[0] == "registration"
    reply = visitor.say('/inform{"registration": "registered"}')
    assert question(reply)[0] == "stage"


def test_question_about_routes_is_answered_then_the_question_repeated(visitor):
    visitor.say("hi")
    visitor.say('/inform{"registration": "registered"}')
    reply = visitor.say("what's the difference between a framework and a DPS?")
    assert "pass/fail" in said(reply) and "fixed period" in said(reply)
    assert question(reply)[0] == "stage"


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


BAD_INPUT = {"empty": "", "whitespace": "   \n ", "5000 characters": "x " * 2500, "emoji": "🙂🙂🙂",
             "French": "Bonjour, je voudrais de l'aide", "markup": "<script>alert('x')</script>",
             "Russian": "Здравствуйте, мы агентство"}


@pytest.mark.parametrize("text", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_gets_a_polite_reply_and_loses_nothing(visitor, text):
    visitor.say("hi")
    visitor.say('/inform{"registration": "registered"}')
    reply = visitor.say(text)
    assert said(reply).strip(), f"no reply to {text[:20]!r}"
    assert len(reply) <= 4, f"the assistant looped: {reply}"
    assert question(reply)[0] == "stage", "the question is asked again"
    advice = recommendation(visitor.say("we're new and the council's DPS is open"))
    assert advice["facts"]["registration"] == "registered" and advice["route"] == "dps"
