"""Give the recommendation, short, and the rest of it when the visitor asks."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import TREE, advice_for, ask
from actions.lead_messages import offer
from routes.reply import glossed_payload, more_messages, recommendation_headline, recommendation_message
from routes.walker import Question

# Channels whose client draws the payload as a card (the website widget): there the text is only
# the headline, so the card's reasons and steps are not shown twice.
CARD_CHANNELS = {"socketio"}


class ActionRecommend(Action):
    def name(self) -> Text:
        return "action_recommend"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        advice = advice_for(tracker)
        if isinstance(advice, Question):
            ask(dispatcher, advice)
            return []
        if tracker.get_latest_input_channel() in CARD_CHANNELS:
            dispatcher.utter_message(text=recommendation_headline(TREE, advice))
        else:
            dispatcher.utter_message(text=recommendation_message(TREE, advice))
        dispatcher.utter_message(json_message=glossed_payload(TREE, advice))
        if tracker.get_latest_input_channel() not in CARD_CHANNELS:  # the card has the offer's button
            offer(dispatcher, "offer_after_recommendation")
        return [SlotSet("route", advice.route)]


class ActionExplainRecommendation(Action):
    """ "Tell me more" / "why?": the reasons, every step and the caveats; during the
    questions, why the current question matters."""

    def name(self) -> Text:
        return "action_explain_recommendation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        advice = advice_for(tracker)
        if isinstance(advice, Question):
            dispatcher.utter_message(text=advice.help)
            if not tracker.active_loop_name:  # inside the form, the form asks next
                ask(dispatcher, advice)
            return []
        for message in more_messages(TREE, advice):
            dispatcher.utter_message(text=message)
        return []
