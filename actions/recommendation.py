"""Give the recommendation: readable text plus the payload the widget shows as a card."""
from __future__ import annotations

from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import TREE, ask, facts_from
from routes.reply import recommendation_headline, recommendation_text
from routes.walker import Question, advise


# Channels whose client draws the payload as a card (the website widget): there the text is only
# the headline, so the card's reasons and steps are not shown twice.
CARD_CHANNELS = {"socketio"}


class ActionRecommend(Action):
    def name(self) -> Text:
        return "action_recommend"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        advice = advise(TREE, facts_from(tracker))
        if isinstance(advice, Question):
            ask(dispatcher, advice)
            return []
        if tracker.get_latest_input_channel() in CARD_CHANNELS:
            dispatcher.utter_message(text=recommendation_headline(TREE, advice))
        else:
            dispatcher.utter_message(text=recommendation_text(TREE, advice))
        dispatcher.utter_message(json_message=advice.payload())
        return [SlotSet("route", advice.route)]
