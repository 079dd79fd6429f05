"""Conversation repair: carrying on after a question about the routes, starting over, the fallback."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import ask_next_question
from actions.consultancy import consultancy_slot_events
from actions.bad_input import describe_problem

STEER_WHEN_DONE = "Anything else you'd like to know? You can also correct any detail you've given me."


def carry_on(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Ask the next question, or invite more once a route has been given."""
    if not ask_next_question(dispatcher, tracker):
        dispatcher.utter_message(text=STEER_WHEN_DONE)


def selected_answer(tracker: Tracker) -> Optional[Text]:
    """The FAQ answer (utter_faq/<name>) the ResponseSelector chose for the latest message, if it
    asks a route question and no reply has followed it yet."""
    message = tracker.latest_message or {}
    if (message.get("intent") or {}).get("name") != "faq" or _replied_since_visitor(tracker):
        return None
    selectors: Dict[Text, Any] = message.get("response_selector") or {}
    selected = selectors.get("faq") or selectors.get("default") or {}
    return (selected.get("response") or {}).get("utter_action")


def _replied_since_visitor(tracker: Tracker) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


class ActionCarryOn(Action):
    """After answering a question about the routes (utter_faq) outside the questions."""

    def name(self) -> Text:
        return "action_carry_on"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        carry_on(dispatcher, tracker)
        return []


class ActionStartOver(Action):
    """Forget every fact (not the consultancy's details); the rule then says so and the form asks
    the first question again."""

    def name(self) -> Text:
        return "action_start_over"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        return [ActiveLoop(None), AllSlotsReset(), SlotSet("requested_slot", None), *consultancy_slot_events()]


class ActionFallback(Action):
    """Say what went wrong with the message, politely, then carry on where we were.

    The message is taken back (as Rasa's default fallback does), so nothing the visitor
    said before is lost and the conversation waits for them at the same question.
    """

    def name(self) -> Text:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        dispatcher.utter_message(text=describe_problem(tracker.latest_message.get("text") or ""))
        carry_on(dispatcher, tracker)
        return [UserUtteranceReverted()]
