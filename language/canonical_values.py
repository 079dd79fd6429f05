"""CanonicalValues: the last gate for fact entities in the NLU pipeline.

Why: Rasa's SpacyEntityExtractor puts the matched *text* in ``value`` ("start-up"),
while the slots and the decision tree need the canonical value (``new``,
docs/contract.md). The entity_ruler pattern that matched carries it as ``ent_id_``
(language/patterns/*.yml), so this component finds the same span (start/end) in the
spaCy doc that SpacyNLP left on the message and rewrites the value.

For the fact entities (stage, registration, capacity, framework, dps, work_type, nation)
the ruler is the only source: the same fact from another extractor (CRFEntityExtractor,
which also sees the fact annotations) is dropped, as is anything whose value is not
canonical. So there is never a duplicate or a second, conflicting value, and a phrase the
patterns deliberately ignore ("do I need to be CQC registered?") cannot come back in
through a statistical model. Kept facts are relabelled ``extractor: CanonicalValues``
(``rasa test nlu`` discards SpacyEntityExtractor's output, so this is how it scores what
the bot uses) and sorted by position: Rasa fills a non-list slot with the *last* value,
which is what a correction in one message means ("not registered... sorry, we are").
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

    def __init__(self, config: Dict[Text, Any]) -> None:
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
        ids = {(e.start_char, e.end_char, e.label_): e.ent_id_ for e in (doc.ents if doc else ())}
        others, facts = [], []
        for entity in message.get(ENTITIES, []):
            name = entity.get("entity")
            if name not in self._allowed:
                others.append(entity)
            elif entity.get("extractor") == SPACY_EXTRACTOR:
                value = ids.get((entity.get("start"), entity.get("end"), name))
                if value in self._allowed[name]:
                    facts.append({**entity, "value": value, "extractor": type(self).__name__})
        return others + sorted(facts, key=lambda e: (e["start"], e["end"]))
