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
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY, RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY, RESPONSE_SELECTOR_UTTER_ACTION_KEY)
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from language.route_questions import QUESTION_ANSWER


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FAQResponseSelector(ResponseSelector):
    """ResponseSelector that answers only messages of its retrieval intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        asked = [message for message in messages if self._asks(message)]
        if asked:
            super().process(asked)
            for message in asked:
                self._answer_the_question_sentence(message)
        return messages

    def _answer_the_question_sentence(self, message: Message) -> None:
        """The answer RouteQuestions read from the question's own sentence, where it found one
        (language/route_questions.py), in place of the one chosen from the whole message."""
        chosen = message.get(QUESTION_ANSWER)
        selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(self.retrieval_intent)
        if not chosen or not selected:
            return
        key = chosen[INTENT_RESPONSE_KEY]
        template = intent_response_key_to_template_key(key)
        if key == selected[RESPONSE_SELECTOR_PREDICTION_KEY].get(INTENT_RESPONSE_KEY) or template not in self.responses:
            return
        ranking = [r for r in selected.get(RESPONSE_SELECTOR_RANKING_KEY) or [] if r.get(INTENT_RESPONSE_KEY) != key]
        self._set_message_property(message, {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: self.responses[template],
                PREDICTED_CONFIDENCE_KEY: chosen[PREDICTED_CONFIDENCE_KEY],
                INTENT_RESPONSE_KEY: key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: template,
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {INTENT_RESPONSE_KEY: key, PREDICTED_CONFIDENCE_KEY: chosen[PREDICTED_CONFIDENCE_KEY]}] + ranking,
        }, self.retrieval_intent)

    def _asks(self, message: Message) -> bool:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        return self.retrieval_intent is None or intent == self.retrieval_intent
