"""CanonicalValues: the last gate for fact entities in the NLU pipeline.

Why: Rasa's SpacyEntityExtractor puts the matched *text* in ``value`` ("start-up"),
while the slots and the decision tree need the canonical value (``new``,
docs/contract.md). The entity_ruler pattern that matched carries it as ``ent_id_``
(language/patterns/*.yml), so this component looks the span up in the spaCy doc
SpacyNLP left on the message (same start/end) and rewrites the value.

It runs after DIETClassifier and EntitySynonymMapper and, for the fact entities
(stage, registration, capacity, framework, dps, work_type, nation):

- ruler entities get their canonical value; they are the authority;
- an entity from another extractor (DIET) is kept only if, after synonym mapping, its
  value is canonical for its entity, it does not overlap a ruler entity, the ruler found
  nothing for that entity in the message, and its confidence is at least
  ``model_min_confidence``; so DIET can add recall but never a second, conflicting value;
- anything else (a non-canonical value, an unmatched span) is dropped, never passed on.

Kept fact entities are relabelled ``extractor: CanonicalValues`` (so ``rasa test nlu``
scores what the bot actually uses; it ignores SpacyEntityExtractor's output) and sorted
by position, because Rasa fills a non-list slot with the *last* value of an entity, which
is what a correction in the same message means ("not registered... sorry, we are").
Other entities (council) pass through untouched.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from language.contract import allowed_values

SPACY_EXTRACTOR = "SpacyEntityExtractor"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class CanonicalValues(GraphComponent):
    """Makes every fact entity value canonical; drops the ones that cannot be."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"model_min_confidence": 0.9}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._min_confidence = float(config.get("model_min_confidence", 0.9))
        self._allowed = allowed_values()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CanonicalValues":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.set(ENTITIES, self.canonicalise(message), add_to_output=True)
        return messages

    def canonicalise(self, message: Message) -> List[Dict[Text, Any]]:
        doc = message.get(SPACY_DOCS[TEXT])
        ruler = {(e.start_char, e.end_char): (e.label_, e.ent_id_) for e in (doc.ents if doc else ())}
        others, ruled, modelled = [], [], []
        for entity in message.get(ENTITIES, []):
            name = entity.get("entity")
            if name not in self._allowed:
                others.append(entity)
            elif entity.get("extractor") == SPACY_EXTRACTOR:
                label, value = ruler.get((entity.get("start"), entity.get("end")), (None, None))
                if label == name and value in self._allowed[name]:
                    ruled.append({**entity, "value": value, "extractor": self.__class__.__name__})
            elif str(entity.get("value")) in self._allowed[name] and (
                entity.get("confidence_entity") or 0.0
            ) >= self._min_confidence:
                modelled.append(entity)
        kept = ruled + [
            {**e, "extractor": self.__class__.__name__}
            for e in modelled
            if e["entity"] not in {r["entity"] for r in ruled}
            and not any(_overlap(e, r) for r in ruled)
        ]
        return others + sorted(kept, key=lambda e: (e.get("start", 0), e.get("end", 0)))


def _overlap(a: Dict[Text, Any], b: Dict[Text, Any]) -> bool:
    return a.get("start", 0) < b.get("end", 0) and b.get("start", 0) < a.get("end", 0)

