"""Rasa's ResponseSelector for the route questions, run only on messages it can answer.

The selector's answer is used only when the intent is its retrieval intent (`faq`): Rasa's
`utter_faq` reads it, and nothing else does. ResponseSelector still runs its network on every
message (3 ms here); this one skips the messages classified as anything else, so a visitor's
facts, greetings and button presses don't pay for a question they didn't ask.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FAQResponseSelector(ResponseSelector):
    """ResponseSelector that answers only messages of its retrieval intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        asked = [message for message in messages if self._asks(message)]
        if asked:
            super().process(asked)
        return messages

    def _asks(self, message: Message) -> bool:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        return self.retrieval_intent is None or intent == self.retrieval_intent
