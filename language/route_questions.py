"""RouteQuestions: a statement with a route question in it is a route question.

Why: visitors often say who they are and ask in the same message ("we're on Croydon's
framework - what's a call off?"). DIET reads the whole message as a bag of features, and the
facts outweigh the question: in a fresh blind set of such messages (stop 34) it read one in
five route questions as ``inform``, so the visitor got the next question of the tree instead
of an answer. This reads the message as a whole, as the message-level fact layer does
(language/message_values.py, the same features and classifier): is it a route question
(retrieval intent ``faq``) or not? It learns from every training example and every line of
language/situations.yml, whose writers put facts and questions together in every order.

Where DIET said ``inform`` and this is at least ``threshold`` sure the message asks a route
question, the intent becomes ``faq`` (with this confidence), and the FAQResponseSelector after
it picks the answer. It changes nothing else: CanonicalValues then takes the facts said before
the question, as for any route question. Its figures are in the README (stop 34).

A long first message that ends with its question ("...30 beds, CQC good. Where are tenders
published?") is also read sentence by sentence (``sentence_threshold``), and the answer is read
from its most questioning sentence (``answer_threshold``, a second classifier of the same kind
trained on the route questions), which FAQResponseSelector takes over its reading of the whole
message: the facts around a question pulled it to the wrong answer (stop 35).
"""
from __future__ import annotations

import hashlib
import pickle
import re
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.message_values import NOT_SAID, MessageValues

MODEL_FILE = "route_questions.pkl"
ASKS = "asks"  # the one "fact" the classifier reads: does the message ask a route question?
ANSWER = "answer"  # what the answers classifier reads: which route question (faq/<name>)
# The message property FAQResponseSelector reads: the answer the question's own sentence asks for.
QUESTION_ANSWER = "route_question_answer"
DEFAULTS = {"retrieval_intent": "faq", "statement_intent": "inform", "threshold": 0.5,
            "sentence_threshold": 1.01, "answer_threshold": 1.01}
# Where one sentence of a message ends and the next begins.
SENTENCE_BREAK = re.compile(r"(?<=[.?!])\s+")


def _sentences(text: str) -> List[str]:
    return [s for s in SENTENCE_BREAK.split(text) if s.strip()]


def examples(texts_and_intents: Iterable[Tuple[str, str]], retrieval_intent: str) -> List[Tuple[str, Dict[str, str]]]:
    """(text, {ASKS: retrieval_intent}) for a route question, (text, {}) for anything else."""
    group = retrieval_intent + "/"
    return [(text, {ASKS: retrieval_intent} if intent == retrieval_intent or intent.startswith(group) else {})
            for text, intent in texts_and_intents]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RouteQuestions(GraphComponent):
    """Turns DIET's ``inform`` into the route-question intent where the message asks one."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return dict(DEFAULTS)

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 classifier: Optional[MessageValues] = None, answers: Optional[MessageValues] = None) -> None:
        self._config = {**DEFAULTS, **config}
        self._model_storage = model_storage
        self._resource = resource
        self._classifier = classifier
        self._answers = answers

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "RouteQuestions":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "RouteQuestions":
        with model_storage.read_from(resource) as directory:
            classifier, answers = pickle.loads((directory / MODEL_FILE).read_bytes())
        return cls(config, model_storage, resource, classifier, answers)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """It learns from language/situations.yml too, which is not training data: retrain on change."""
        from language.evaluation.sets import SITUATIONS  # train time only

        return hashlib.sha256(SITUATIONS.read_bytes()).hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        from language.evaluation.sets import situations  # train time only

        said = [(m.get(TEXT), m.get(INTENT_RESPONSE_KEY) or m.get(INTENT))
                for m in training_data.nlu_examples if m.get(INTENT)]
        said += [(c.text, c.intent) for c in situations().cases]
        retrieval_intent = self._config["retrieval_intent"]
        self._classifier = MessageValues.train(
            examples(said, retrieval_intent), [ASKS], {ASKS: [retrieval_intent]})
        asked = [(text, intent) for text, intent in said if intent.startswith(retrieval_intent + "/")]
        self._answers = MessageValues.train(
            [(text, {ANSWER: intent}) for text, intent in asked], [ANSWER],
            {ANSWER: sorted({intent for _, intent in asked})}) if asked else None
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_bytes(pickle.dumps((self._classifier, self._answers)))
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._reread(message)
            self._answer_the_question_sentence(message)
        return messages

    def _answer_the_question_sentence(self, message: Message) -> None:
        """In a route question of several sentences, the answer its most questioning sentence
        asks for, where the answers classifier is ``answer_threshold`` sure of it. The FAQ
        selector reads the whole message, and the facts around the question pull it astray
        ("...CQC registered, 4 private clients. Where are tenders published?" read as the
        registration question); FAQResponseSelector takes this answer instead."""
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if self._answers is None or intent != self._config["retrieval_intent"]:
            return
        sentences = _sentences(message.get(TEXT) or "")
        if len(sentences) < 2:
            return
        question = max(sentences, key=self.asks)
        value, probability = self._answers.best(question, [ANSWER]).get(ANSWER, (NOT_SAID, 0.0))
        if value != NOT_SAID and probability >= self._config["answer_threshold"]:
            message.set(QUESTION_ANSWER, {INTENT_RESPONSE_KEY: value, PREDICTED_CONFIDENCE_KEY: probability})

    def asks(self, text: str) -> float:
        """How sure the classifier is that ``text`` asks a route question."""
        value, probability = self._classifier.best(text, [ASKS]).get(ASKS, (NOT_SAID, 1.0))
        return probability if value != NOT_SAID else 1.0 - probability

    def sentence_asks(self, text: str) -> float:
        """How sure the classifier is that one sentence of a message of several asks a route
        question (0 for a message of one sentence)."""
        sentences = _sentences(text)
        return max((self.asks(s) for s in sentences), default=0.0) if len(sentences) > 1 else 0.0

    def _reread(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        if self._classifier is None or intent.get(INTENT_NAME_KEY) != self._config["statement_intent"]:
            return
        text = message.get(TEXT) or ""
        confidence = self.asks(text)
        if confidence < self._config["threshold"]:
            # A long first message that ends with its question ("...30 beds, CQC good. Where
            # are tenders published?"): the statement outweighs the question as a whole.
            confidence = self.sentence_asks(text)
            if confidence < self._config["sentence_threshold"]:
                return
        question = {INTENT_NAME_KEY: self._config["retrieval_intent"], "confidence": confidence}
        # DIET's reading is set aside, not kept second: FallbackClassifier would otherwise call
        # a 0.6 route question against a 0.99 statement ambiguous.
        ranking = [question] + [r for r in message.get(INTENT_RANKING_KEY) or []
                                if r.get(INTENT_NAME_KEY) not in (question[INTENT_NAME_KEY], intent[INTENT_NAME_KEY])]
        message.set(INTENT, question, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
