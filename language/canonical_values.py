"""CanonicalValues: the last gate for fact and council entities in the NLU pipeline.

Why: the slots and the decision tree need canonical values (``new``, ``cqc``, "Kent County
Council"), not what the visitor typed ("start-up", "C.Q.C", "Kent's"). SpacyNLP leaves the
spaCy doc of the message on it; the project's pipeline has already marked the facts there
(entity_ruler -> ``doc.ents``, mentions span_ruler -> ``doc.spans["mentions"]``), each with
its canonical value as the pattern id. ``language.facts.find`` reads both; this component
emits what it returns, labelled ``extractor: CanonicalValues`` (``rasa test nlu`` scores this
extractor, so the figures are what the bot uses).

- Fact entities (routes/decision-tree.yml ``facts``) come from the doc only: the same fact
  from another extractor (CRFEntityExtractor, which also sees the fact annotations) is
  dropped, so a phrase the patterns deliberately ignore ("do I need to be CQC registered?")
  cannot come back in through a statistical model, and no value is ever non-canonical.
- ``council``: names in routes/councils.yml come from the doc with the council's name as the
  value. The CRF still finds names the file lacks; a CRF council that overlaps a recognised
  council name (used or not: "not Kent", "based in Bristol"), a nation or a regulator is
  dropped, and one the file knows as a whole answer ("Kent County") gets its name.

Entities are sorted by position: Rasa fills a non-list slot with the *last* value, which is
what a correction in one message means ("not registered... sorry, we are") and which council
is the target ("based in Bristol, starting home care in Newport").
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

from language.facts import COUNCIL, council_spans, find
from language.mentions import canonical_values, councils

# Named things that are not councils: a statistical council entity overlapping one is dropped.
NOT_COUNCILS = ("nation", "regulator")


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class CanonicalValues(GraphComponent):
    """Emits the doc's canonical facts and councils; drops what other extractors say about them."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._allowed = canonical_values()
        self._councils = councils()

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
        found = find(doc, self._allowed) if doc is not None else []
        name = type(self).__name__
        entities = [
            {"entity": f.entity, "start": f.start, "end": f.end, "value": f.value, "extractor": name}
            for f in found
        ]
        taken = (council_spans(doc) if doc is not None else []) + [
            (f.start, f.end) for f in found if f.entity in NOT_COUNCILS + (COUNCIL,)
        ]
        for entity in message.get(ENTITIES, []):
            if entity.get("entity") in self._allowed and entity.get("entity") != COUNCIL:
                continue  # a fact: only the doc's canonical value counts
            if entity.get("entity") == COUNCIL:
                start, end = entity.get("start", 0), entity.get("end", 0)
                if any(s < end and start < e for s, e in taken):
                    continue
                council = self._councils.find(str(entity.get("value", "")))
                if council is not None:
                    entity = {**entity, "value": council.name}
            entities.append(entity)
        return sorted(entities, key=lambda e: (e.get("start", 0), e.get("end", 0)))
