"""Conversation repair: answering questions about routes, starting over and the fallback."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import ask_next_question
from actions.bad_input import describe_problem

ANSWERS: Dict[str, str] = yaml.safe_load(
    (Path(__file__).parents[1] / "routes" / "answers.yml").read_text(encoding="utf-8")
)
STEER_WHEN_DONE = "Anything else you'd like to know? You can also correct any detail you've given me."


def carry_on(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Ask the next question, or invite more once a route has been given."""
    if not ask_next_question(dispatcher, tracker):
        dispatcher.utter_message(text=STEER_WHEN_DONE)


def steer_back(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Outside the form, carry on; inside it, the form re-asks its own question next."""
    if not tracker.active_loop_name:
        carry_on(dispatcher, tracker)


class ActionExplainRoute(Action):
    """Answer a question about frameworks, DPSs, spot contracts and the rules around them."""

    def name(self) -> Text:
        return "action_explain_route"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        dispatcher.utter_message(text=ANSWERS.get(intent, ANSWERS["ask_difference"]))
        steer_back(dispatcher, tracker)
        return []


class ActionStartOver(Action):
    """Forget every fact; the rule then says so and the form asks the first question again."""

    def name(self) -> Text:
        return "action_start_over"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        return [ActiveLoop(None), AllSlotsReset(), SlotSet("requested_slot", None)]


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
