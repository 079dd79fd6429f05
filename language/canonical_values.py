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

What it knows comes from the source tree at train time only: ``train`` gathers the canonical
values (the tree's facts and the councils' names) and the councils with their aliases, and
persists them in the Rasa model; ``load`` reads them back, so a deployed model reads no
routes/*.yml. ``fingerprint_addon`` makes ``rasa train`` retrain it when either file changes.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.facts import COUNCIL, council_spans, find
from routes.councils import NATIONS, Councils, parse_councils

# Named things that are not councils: a statistical council entity overlapping one is dropped.
NOT_COUNCILS = ("nation", "regulator")
KNOWLEDGE_FILE = "canonical_values.json"


def gather() -> Dict[str, Any]:
    """What the component knows, read from the source tree (train time only): the canonical
    values per entity, and routes/councils.yml in the shape ``parse_councils`` reads."""
    from language.mentions import canonical_values, councils  # reads routes/*.yml

    index = councils()
    return {
        "allowed": {entity: sorted(values) for entity, values in sorted(canonical_values().items())},
        "councils": {
            nation: [{"name": c.name, "also": list(c.also)} for c in index.in_nation(nation)]
            for nation in NATIONS
        },
    }


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True
)
class CanonicalValues(GraphComponent):
    """Emits the doc's canonical facts and councils; drops what other extractors say about them."""

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        knowledge: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._allowed: Dict[str, FrozenSet[str]] = {}
        self._councils: Optional[Councils] = None
        if knowledge is not None:
            self._learn(knowledge)

    def _learn(self, knowledge: Mapping[str, Any]) -> None:
        self._allowed = {entity: frozenset(values) for entity, values in knowledge["allowed"].items()}
        self._councils = parse_councils(knowledge["councils"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CanonicalValues":
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "CanonicalValues":
        """The component as trained; a model without its knowledge is an error (retrain)."""
        with model_storage.read_from(resource) as directory:
            knowledge = json.loads((directory / KNOWLEDGE_FILE).read_text(encoding="utf-8"))
        return cls(model_storage, resource, knowledge)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The knowledge is not in the training data: retrain when it changes."""
        return hashlib.sha256(json.dumps(gather(), sort_keys=True).encode()).hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        knowledge = gather()
        self._learn(knowledge)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / KNOWLEDGE_FILE).write_text(json.dumps(knowledge, ensure_ascii=False), encoding="utf-8")
        return self._resource

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
                council = self._councils.find(str(entity.get("value", ""))) if self._councils else None
                if council is not None:
                    entity = {**entity, "value": council.name}
            entities.append(entity)
        return sorted(entities, key=lambda e: (e.get("start", 0), e.get("end", 0)))
