"""The Rasa actions on real Tracker objects: they adapt the walker, and add nothing of their own."""
import asyncio
import json

import pytest
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.bad_input import EMPTY, MARKUP, NO_WORDS, NOT_ENGLISH, UNCLEAR
from actions.conversation import STEER_WHEN_DONE, ActionCarryOn, ActionFallback, ActionStartOver
from actions.recommendation import ActionExplainRecommendation, ActionRecommend
from actions.route_form import ASK_ACTIONS, ActionNotSure, ValidateRouteForm


def texts(dispatcher):
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def customs(dispatcher):
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def test_recommendation_gives_text_and_payload(tracker_named, dispatcher, domain):
    events = ActionRecommend().run(dispatcher, tracker_named("new_provider_dps_open"), domain)
    assert events == [SlotSet("route", "dps")]
    message, offer = texts(dispatcher)
    assert "free, honest assessment" in offer
    assert message.startswith("My recommendation: Join the DPS") and "at Kent County Council" in message
    assert len(message.split()) <= 120
    [payload] = customs(dispatcher)
    recommendation = payload["recommendation"]
    assert recommendation["route"] == "dps" and recommendation["also"] == ["spot"]
    assert recommendation["route_name"] == "DPS / approved provider list" and recommendation["also_names"] == ["Spot contracts"]
    assert recommendation["facts"]["stage"] == "new" and recommendation["facts"]["council"] == "Kent County Council"
    assert recommendation["facts"]["nation"] == "england"  # from the council, never asked
    assert recommendation["why"] and recommendation["next_steps"] and recommendation["caveats"]
    json.dumps(payload)  # the channel sends it as JSON


def test_unregistered_provider_is_told_to_register_with_their_regulator(tracker_named, dispatcher, domain):
    events = ActionRecommend().run(dispatcher, tracker_named("unregistered_in_wales"), domain)
    assert events == [SlotSet("route", "register_first")]
    assert "Care Inspectorate Wales" in texts(dispatcher)[0]


def test_recommendation_asks_instead_when_facts_are_missing(tracker_named, dispatcher, domain):
    assert ActionRecommend().run(dispatcher, tracker_named("registered_only"), domain) == []
    assert dispatcher.messages[0]["text"] == "How established are you with the council?"


def test_tell_me_more_gives_the_reasons_every_step_and_the_caveats(tracker_named, dispatcher, domain):
    ActionExplainRecommendation().run(dispatcher, tracker_named("new_provider_dps_open"), domain)
    why, steps, caveats, closing = texts(dispatcher)
    assert why.startswith("Why:") and steps.startswith("All the steps:") and caveats.startswith("Worth knowing:")
    assert "23 February 2029" in caveats and "start over" in closing


def test_why_during_the_questions_says_why_the_question_matters(tracker_named, dispatcher, domain):
    ActionExplainRecommendation().run(dispatcher, tracker_named("registered_only"), domain)
    assert texts(dispatcher) == ["Newer providers do best on lists that are open to join; "
                                 "providers a buyer already knows can aim for frameworks."]


def test_first_not_sure_says_why_it_matters_and_the_form_asks_again(tracker_named, dispatcher, domain):
    events = ActionNotSure().run(dispatcher, tracker_named("unsure_of_nation_once"), domain)
    assert events == []
    assert texts(dispatcher) == ["That's fine. Each UK nation has its own regulator, rules and tender portals, "
                                 "so the advice differs."]


def test_second_not_sure_in_a_row_assumes_and_remembers_it(tracker_named, dispatcher, domain):
    events = ActionNotSure().run(dispatcher, tracker_named("unsure_of_nation_twice"), domain)
    assert events == [SlotSet("nation", "england"), SlotSet("assumed", ["nation"])]
    assert texts(dispatcher) == []


def test_form_requires_the_facts_on_the_visitors_path_then_the_next_one(tracker_named, dispatcher, domain):
    form = ValidateRouteForm()
    required = lambda name: asyncio.run(form.required_slots([], dispatcher, tracker_named(name), domain))
    assert required("registered_only") == ["service", "nation", "registration", "stage"]
    assert required("nothing_known") == ["service"]
    # the nation follows from the council named, so it is never asked; the regulator is kept
    assert required("new_provider_dps_open") == [
        "service", "registration", "stage", "dps", "framework", "capacity", "regulator", "work_type", "council"]
    # what was said off the path (work type before it matters) is kept too
    assert required("unregistered_in_wales") == ["service", "nation", "registration", "stage"]


def test_typed_answer_is_kept_and_the_next_question_requested(tracker_named, dispatcher, domain):
    tracker = tracker_named("registered_only", text="established")
    tracker.slots["requested_slot"] = "stage"
    events = asyncio.run(ValidateRouteForm().run(dispatcher, tracker, domain))
    assert SlotSet("stage", "established") in events
    assert events[-1] == SlotSet("requested_slot", "on_list")


@pytest.mark.parametrize("slot, good, bad", [
    ("registration", "pending", "in progress"), ("stage", "expanding", "growing"),
    ("capacity", "limited", "2 packages"), ("framework", "unknown", "maybe"),
    ("dps", "closed", "no"), ("work_type", "urgent", "asap"), ("nation", "scotland", "uk"),
    ("service", "care_home", "residential"), ("on_list", "both", "yes"), ("regulator", "ciw", "Wales"),
    ("funding", "nhs", "CHC"),
])
def test_each_slot_keeps_canonical_values_and_drops_others(slot, good, bad, tracker_named, dispatcher, domain):
    validate = getattr(ValidateRouteForm(), f"validate_{slot}")
    tracker = tracker_named("registered_only")
    assert validate(good, dispatcher, tracker, domain) == {slot: good}
    assert validate(bad, dispatcher, tracker, domain) == {slot: None}


def test_council_name_is_tidied(tracker_named, dispatcher, domain):
    validate = ValidateRouteForm().validate_council
    assert validate("  West   Sussex ", dispatcher, tracker_named("registered_only"), domain) == {"council": "West Sussex"}


def test_ask_action_sends_buttons_for_every_answer_and_progress(tracker_named, dispatcher, domain):
    ask_stage = next(action() for action in ASK_ACTIONS if action().name() == "action_ask_stage")
    ask_stage.run(dispatcher, tracker_named("registered_only"), domain)
    question, progress = dispatcher.messages
    assert [b["payload"] for b in question["buttons"]] == [
        '/inform{"stage": "new"}', '/inform{"stage": "expanding"}', '/inform{"stage": "established"}']
    assert [b["title"] for b in question["buttons"]] == [
        "New to publicly funded work", "New to this area", "Already work with them"]
    assert progress["custom"] == {"progress": {"step": 4, "of": 8}, "asking": "stage"}


def test_every_fact_has_an_ask_action_named_in_the_domain(domain):
    names = {action().name() for action in ASK_ACTIONS}
    assert names == {f"action_ask_{slot}" for slot in domain["forms"]["route_form"]["required_slots"]}
    assert names <= set(domain["actions"])


def test_after_a_question_about_the_routes_the_advice_carries_on(tracker_named, dispatcher, domain):
    ActionCarryOn().run(dispatcher, tracker_named("registered_only"), domain)
    assert texts(dispatcher) == ["How established are you with the council?"]


def _asks_a_route_question_with_an_answer(tracker, replied=False):
    """The stage given and a route question asked in one message, while the form asks the stage."""
    text = "we've worked with them for years - what's a mini competition?"
    tracker.latest_message = {
        "text": text, "intent": {"name": "faq", "confidence": 0.9}, "entities": [],
        "response_selector": {"faq": {"response": {"utter_action": "utter_faq/call_off"}}}}
    tracker.events = [{"event": "user", "text": text}] + (
        [{"event": "bot", "text": "Frameworks..."}] if replied else []) + [
        {"event": "action", "name": "route_form"},
        {"event": "slot", "name": "stage", "value": "established"}]
    tracker.slots.update({"stage": "established", "requested_slot": "stage"})
    return tracker


def test_a_route_question_sent_with_an_answer_is_answered_and_the_answer_kept(tracker_named, dispatcher, domain):
    tracker = _asks_a_route_question_with_an_answer(tracker_named("registered_only"))
    events = asyncio.run(ValidateRouteForm().run(dispatcher, tracker, domain))
    assert [m["response"] for m in dispatcher.messages] == ["utter_faq/call_off"]
    assert SlotSet("stage", "established") in events
    assert events[-1] == SlotSet("requested_slot", "on_list")


def test_a_route_question_already_answered_is_not_answered_twice(tracker_named, dispatcher, domain):
    tracker = _asks_a_route_question_with_an_answer(tracker_named("registered_only"), replied=True)
    asyncio.run(ValidateRouteForm().run(dispatcher, tracker, domain))
    assert dispatcher.messages == []
    tracker = _asks_a_route_question_with_an_answer(tracker_named("registered_only"))
    tracker.latest_message["intent"]["name"] = "inform"
    asyncio.run(ValidateRouteForm().run(dispatcher, tracker, domain))
    assert dispatcher.messages == []


def test_after_a_question_once_advised_the_visitor_is_invited_to_ask_more(tracker_named, dispatcher, domain):
    ActionCarryOn().run(dispatcher, tracker_named("asking_about_dps_after_advice"), domain)
    assert texts(dispatcher) == [STEER_WHEN_DONE]


def test_start_over_forgets_every_fact(tracker_named, dispatcher, domain):
    events = ActionStartOver().run(dispatcher, tracker_named("new_provider_dps_open"), domain)
    assert AllSlotsReset() in events and ActiveLoop(None) in events


def test_fallback_mid_questions_asks_the_same_question_again(tracker_named, dispatcher, domain):
    ActionFallback().run(dispatcher, tracker_named("registered_only", text="🙂"), domain)
    assert texts(dispatcher) == [NO_WORDS, "How established are you with the council?"]


@pytest.mark.parametrize("text, reply", [
    ("", EMPTY), ("   \n\t", EMPTY), ("👍🙂🎉", NO_WORDS),
    ("<script>alert(1)</script>", MARKUP), ("Здравствуйте, мы агентство по уходу", NOT_ENGLISH),
    ("what colour is the sky", UNCLEAR),
])
def test_fallback_says_what_was_wrong_then_asks_again(text, reply, tracker_named, dispatcher, domain):
    events = ActionFallback().run(dispatcher, tracker_named("nothing_known", text=text), domain)
    assert events == [UserUtteranceReverted()]
    said = texts(dispatcher)
    assert said[0] == reply
    assert said[1] == "What kind of care do you provide, or plan to?"


def test_widget_gets_the_headline_and_the_card_without_repeating_it(tracker_named, dispatcher, domain):
    ActionRecommend().run(dispatcher, tracker_named("new_provider_dps_open_on_widget"), domain)
    assert texts(dispatcher) == ["My recommendation: Join the DPS (a list of approved providers that stays open to join) "
                                 "or approved provider list at Kent County Council."]
    assert customs(dispatcher)[0]["recommendation"]["why"]


@pytest.mark.parametrize("typed, value", [("new", "new"), ("Established.", "established"), ("expanding", "expanding")])
def test_typed_answer_to_the_question_asked_is_understood(typed, value, tracker_named, dispatcher, domain):
    tracker = tracker_named("registered_only", text=typed)
    tracker.slots["requested_slot"] = "stage"
    assert ValidateRouteForm().extract_stage(dispatcher, tracker, domain) == {"stage": value}


@pytest.mark.parametrize("requested, unsure_of, expected", [
    # a doubt about the question asked: its "unknown", or its assumption
    ("capacity", "capacity", {"capacity": "limited"}),
    ("nation", "nation", {"nation": "england"}),
    ("framework", "framework", {"framework": "unknown"}),
    # a doubt about another fact
    ("capacity", "registration", {}),
])
def test_a_doubt_about_the_question_asked_is_a_not_sure(requested, unsure_of, expected, tracker_named, dispatcher, domain):
    tracker = tracker_named("registered_only", text=f"not sure about the {unsure_of}")
    tracker.latest_message["entities"] = [{"entity": "unsure", "value": unsure_of, "start": 0, "end": 8}]
    tracker.slots["requested_slot"] = requested
    extract = getattr(ValidateRouteForm(), f"extract_{requested}")
    assert extract(dispatcher, tracker, domain) == expected


def test_a_doubt_sets_the_assumption_through_the_form(tracker_named, dispatcher, domain):
    tracker = tracker_named("registered_only", text="not sure if we have capacity")
    tracker.latest_message["entities"] = [{"entity": "unsure", "value": "capacity", "start": 14, "end": 28}]
    tracker.slots["requested_slot"] = "capacity"
    events = asyncio.run(ValidateRouteForm().run(dispatcher, tracker, domain))
    assert SlotSet("capacity", "limited") in events and SlotSet("assumed", ["capacity"]) in events
    # the same answer typed plainly is no assumption
    tracker = tracker_named("registered_only", text="a few packages")
    tracker.slots["requested_slot"] = "capacity"
    events = asyncio.run(ValidateRouteForm().run(CollectingDispatcher(), tracker, domain))
    assert SlotSet("capacity", "limited") in events and not any(e["name"] == "assumed" for e in events)


def test_typed_answer_is_ignored_when_it_does_not_answer_the_question(tracker_named, dispatcher, domain):
    tracker = tracker_named("registered_only", text="what is a framework?")
    tracker.slots["requested_slot"] = "stage"
    assert ValidateRouteForm().extract_stage(dispatcher, tracker, domain) == {}
