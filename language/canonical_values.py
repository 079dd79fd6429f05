"""CanonicalValues: the last gate for fact and council entities in the NLU pipeline.

Why: the slots and the decision tree need canonical values (``new``, ``cqc``, "Kent County
Council"), not what the visitor typed ("start-up", "C.Q.C", "Kent's"). SpacyNLP leaves the
spaCy doc of the message on it; the project's pipeline has already marked the facts there
(entity_ruler -> ``doc.ents``, mentions span_ruler -> ``doc.spans["mentions"]``), each with
its canonical value as the pattern id. ``language.facts.find`` reads both; this component
emits what it returns, labelled ``extractor: CanonicalValues`` (``rasa test nlu`` scores this
extractor, so the figures are what the bot uses).

- Fact entities (routes/decision-tree.yml ``facts``) come from the doc first. Where the
  patterns found nothing of a fact, a span the CRF (which learns the fact annotations) marks
  as that fact gets a value from ``language.learned_values`` when both are confident enough
  (``learned_entity_threshold``, ``learned_value_threshold``); otherwise the CRF's fact is
  dropped. Only messages of the ``inform`` intent take learned facts, so a question the
  patterns deliberately ignore ("do I need to be CQC registered?") does not come back in
  through a statistical model, and no span a hedge governs ("not sure if we have capacity",
  language/hedges.yml) gets a learned value; no value is ever non-canonical. A fact said
  after a doubt ("no idea if we're registered") is not taken from either layer: the entity
  ``unsure`` (its value the fact) says the visitor doesn't know it, or, for a fact with a
  "not sure" answer, that answer ("no idea if the DPS is open" is dps=unknown).
- Last, a fact of ``message_facts`` that neither layer found (nor left unsure) may be read
  from the whole statement (``language.message_values``, trained on the training data's
  statements and language/situations.yml) at ``message_value_threshold``: only in ``inform``
  messages of at least ``message_min_words`` words with no hedge anywhere in them (a reply of
  a word or two, "closed", answers the question just asked, which the form matches to that
  fact: alone it does not say whether the DPS or the framework is closed). Its entity spans the message and is marked
  ``learned: "message"``. Where that layer is sure (``message_override_threshold``), its
  reading overrules the other layers' in such a statement, "not said" included.
- ``council``: names in routes/councils.yml come from the doc with the council's name as the
  value. The CRF still finds names the file lacks; a CRF council that overlaps a recognised
  council name (used or not: "not Kent", "based in Bristol"), a nation or a regulator is
  dropped, and one the file knows as a whole answer ("Kent County") gets its name.
- In a route question (intent ``faq``), the words after the question opens ask about a
  situation rather than state it ("how do we get spot packages from the council" is not
  stage=established): from there on only who the visitor is (``SAID_IN_QUESTIONS``) is taken;
  what they said before it ("we're CQC registered, how do we join the list") still counts.
  Where a question opens is the training data's ``question_opening`` regexes
  (data/nlu/questions.yml), which the intent classifier reads too.

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
import pickle
import re
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.facts import COUNCIL, ON_LIST, STATUS_FACTS, Found, council_spans, find, lists_of_another_council, said_at_all
from language.hedges import AFTERTHOUGHT, GUESS, KINDS, anywhere, asked, governs, load_hedges, taken_back
from language.learned_values import LearnedValues
from language.message_values import MessageValues
from routes.councils import NATIONS, Councils, parse_councils
from routes.walker import UNSURE

UNKNOWN = "unknown"  # the tree's "not sure" answer, where a fact has one
# Named things that are not councils: a statistical council entity overlapping one is dropped.
NOT_COUNCILS = ("nation", "regulator")
KNOWLEDGE_FILE = "canonical_values.json"
LEARNED_FILE = "learned_values.pkl"
MESSAGE_FILE = "message_values.pkl"
CRF = "CRFEntityExtractor"
# Learned facts only in messages that state facts (see the module's docstring).
STATEMENT_INTENTS = ("inform",)
DEFAULTS = {"learned_entity_threshold": 0.6, "learned_value_threshold": 0.6,
            "message_value_threshold": 0.5, "message_override_threshold": 0.9,
            "message_facts": [], "message_min_words": 3}
# Route questions, where the asked-about facts are not taken (see the module's docstring).
QUESTION_INTENTS = ("faq",)
QUESTION_OPENING = "question_opening"  # the regex (data/nlu/questions.yml) that opens a question
SAID_IN_QUESTIONS = ("service", "nation", "regulator", COUNCIL)
QUESTION_ENDS = re.compile(r"[.?!]")


def gather() -> Dict[str, Any]:
    """What the component knows, read from the source tree (train time only): the canonical
    values per entity, and routes/councils.yml in the shape ``parse_councils`` reads."""
    from language.mentions import canonical_values, councils  # reads routes/*.yml

    index = councils()
    return {
        "allowed": {entity: sorted(values) for entity, values in sorted(canonical_values().items())},
        "councils": {
            nation: [{"name": c.name, "also": list(c.also), **({"within": c.within} if c.within else {})}
                     for c in index.in_nation(nation)]
            for nation in NATIONS
        },
        "hedges": load_hedges(),
    }


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True
)
class CanonicalValues(GraphComponent):
    """Emits the doc's canonical facts and councils; drops what other extractors say about them."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return dict(DEFAULTS)

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        knowledge: Optional[Mapping[str, Any]] = None,
        learned: Optional[LearnedValues] = None,
        config: Optional[Mapping[str, Any]] = None,
        message_values: Optional[MessageValues] = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._allowed: Dict[str, FrozenSet[str]] = {}
        self._councils: Optional[Councils] = None
        self._learned = learned
        self._message_values = message_values
        self._hedges: List[tuple] = []
        self._doubts: List[tuple] = []
        self._guesses: List[tuple] = []
        self._only_guesses: List[tuple] = []
        self._doubtable: FrozenSet[str] = frozenset()
        self._afterthoughts: List[tuple] = []
        self._question_openings: List[re.Pattern] = []
        self._config = {**DEFAULTS, **(config or {})}
        if knowledge is not None:
            self._learn(knowledge)

    def _learn(self, knowledge: Mapping[str, Any]) -> None:
        self._allowed = {entity: frozenset(values) for entity, values in knowledge["allowed"].items()}
        self._councils = parse_councils(knowledge["councils"])
        hedges = knowledge["hedges"]
        self._doubts = [tuple(hedge.split()) for hedge in hedges["doubt"]]
        self._only_guesses = [tuple(hedge.split()) for hedge in hedges[GUESS]]
        self._guesses = self._doubts + self._only_guesses
        self._hedges = [tuple(hedge.split()) for kind in KINDS for hedge in hedges[kind]]
        self._doubtable = frozenset(hedges["facts"])
        self._afterthoughts = self._doubts + [tuple(hedge.split()) for hedge in hedges.get(AFTERTHOUGHT, [])]
        self._question_openings = [re.compile(p, re.IGNORECASE) for p in knowledge["question_openings"]]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CanonicalValues":
        return cls(model_storage, resource, config=config)

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
            learned = pickle.loads((directory / LEARNED_FILE).read_bytes())
            message_values = pickle.loads((directory / MESSAGE_FILE).read_bytes())
        return cls(model_storage, resource, knowledge, learned, config, message_values)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The knowledge and the situations are not in the training data: retrain when either changes."""
        from language.evaluation.sets import SITUATIONS  # train time only: the model reads no source

        digest = hashlib.sha256(json.dumps(gather(), sort_keys=True).encode())
        digest.update(SITUATIONS.read_bytes())
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        knowledge = {**gather(), "question_openings": [
            r["pattern"] for r in training_data.regex_features if r.get("name") == QUESTION_OPENING
        ]}
        self._learn(knowledge)
        annotations = [
            (entity["entity"], message.get(TEXT)[entity["start"]:entity["end"]], str(entity.get("value")))
            for message in training_data.nlu_examples
            for entity in message.get(ENTITIES, [])
            if entity.get("entity") in self._allowed and entity.get("entity") != COUNCIL
        ]
        self._learned = LearnedValues.train(annotations, knowledge["allowed"])
        self._message_values = MessageValues.train(
            statements(training_data), self._config["message_facts"], knowledge["allowed"])
        with self._model_storage.write_to(self._resource) as directory:
            (directory / KNOWLEDGE_FILE).write_text(json.dumps(knowledge, ensure_ascii=False), encoding="utf-8")
            (directory / LEARNED_FILE).write_bytes(pickle.dumps(self._learned))
            (directory / MESSAGE_FILE).write_bytes(pickle.dumps(self._message_values))
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.set(ENTITIES, self.canonicalise(message), add_to_output=True)
        return messages

    def _governed(self, doc: Any, upto: int, hedges: List[tuple]) -> bool:
        """Is there a hedge in the clause of the words before character ``upto``?"""
        return doc is not None and governs([t.norm_ for t in doc if t.idx < upto], hedges)

    def _taken_back(self, doc: Any, found: Found, others: List[Found]) -> bool:
        """The status of a DPS or framework (STATUS_FACTS) said in a clause that ends in a
        question mark or followed by an afterthought ("..., I might be wrong"). A doubt inside
        the other list's status is that one's: "framework closed, dps dunno"."""
        if doc is None or found.entity not in STATUS_FACTS:
            return False
        theirs = [(o.start, o.end) for o in others if o.entity in STATUS_FACTS and o.entity != found.entity]
        after = [t.norm_ for t in doc if t.idx >= found.end
                 and not any(start <= t.idx < end for start, end in theirs)]
        return asked(after) or taken_back(after, self._afterthoughts)

    def _questions(self, text: str) -> List[tuple]:
        """The questions in ``text``, as (start, end) character spans: from where one opens to
        the next sentence end or question mark, or the end of the text."""
        spans = []
        for pattern in self._question_openings:
            for m in pattern.finditer(text):
                end = QUESTION_ENDS.search(text, m.end())
                spans.append((m.start(), end.start() if end else len(text)))
        return spans

    def _unsure(self, fact: str, start: int, end: int) -> Dict[Text, Any]:
        return {"entity": UNSURE, "start": start, "end": end, "value": fact, "extractor": type(self).__name__}

    def _doubted(self, fact: str, start: int, end: int) -> Dict[Text, Any]:
        """A fact said after a doubt: its own "not sure" answer where it has one ("no idea if
        the DPS is open" is dps=unknown), else the `unsure` entity for it."""
        if UNKNOWN in self._allowed.get(fact, ()):
            return {"entity": fact, "start": start, "end": end, "value": UNKNOWN, "extractor": type(self).__name__}
        return self._unsure(fact, start, end)

    def canonicalise(self, message: Message) -> List[Dict[Text, Any]]:
        doc = message.get(SPACY_DOCS[TEXT])
        found = find(doc, self._allowed, self._councils) if doc is not None else []
        if (message.get("intent") or {}).get("name") in QUESTION_INTENTS:
            asked = self._questions(message.get(TEXT))
            found = [f for f in found if f.entity in SAID_IN_QUESTIONS
                     or not any(start <= f.start <= end for start, end in asked)]
        name = type(self).__name__
        # A fact the patterns found after a doubt ("no idea if we're registered") is not taken,
        # nor a DPS or framework status after a guess ("I think their DPS might be open now") or
        # with one inside its words ("Dorset's DPS - someone said it reopens in July"; a doubt
        # inside is the pattern's own: "the framework closed, no idea when it reopens").
        doubted = [f for f in found if f.entity in self._doubtable and f.value != UNKNOWN
                   and (self._governed(doc, f.start, self._guesses if f.entity in STATUS_FACTS else self._doubts)
                        or (f.entity in STATUS_FACTS and self._governed(doc, f.end, self._only_guesses))
                        or self._taken_back(doc, f, found))]
        found = [f for f in found if f not in doubted]
        entities = [
            {"entity": f.entity, "start": f.start, "end": f.end, "value": f.value, "extractor": name}
            for f in found
        ] + [self._doubted(f.entity, f.start, f.end) for f in doubted]
        taken = (council_spans(doc) if doc is not None else []) + [
            (f.start, f.end) for f in found if f.entity in NOT_COUNCILS + (COUNCIL,)
        ]
        # A doubted fact is said too: the CRF's reading of its words is not a second opinion;
        # nor is its reading of a fact find() set aside (a status of another council's list).
        # An `_ignore` leaves the CRF free: "no idea if we're registered" is still unsure.
        said = {f.entity for f in found + doubted} | (said_at_all(doc, self._allowed, ignored=False) if doc is not None else set())
        occupied = taken + [(f.start, f.end) for f in found + doubted]
        for entity in message.get(ENTITIES, []):
            if entity.get("entity") in self._allowed and entity.get("entity") != COUNCIL:
                learned = self._learned_fact(message, entity, said, occupied)
                if learned is None:
                    continue
                if learned["entity"] != UNSURE:
                    entities.append({**learned, "extractor": name})
                    said.add(learned["entity"])
                elif not any(e["entity"] == UNSURE and e["value"] == learned["value"] for e in entities):
                    entities.append(learned)
                continue
            if entity.get("entity") == COUNCIL:
                start, end = entity.get("start", 0), entity.get("end", 0)
                if any(s < end and start < e for s, e in taken):
                    continue
                council = self._councils.find(str(entity.get("value", ""))) if self._councils else None
                if council is not None:
                    entity = {**entity, "value": council.name}
            entities.append(entity)
        # A list the CRF found of another council than the target ("on the approved list in
        # Peterborough, want Cambs") is not the target's, as with the patterns' lists (find()).
        learned_lists = [e for e in entities if e.get("learned") and e["entity"] == ON_LIST]
        withheld: FrozenSet[str] = frozenset()
        if learned_lists and doc is not None and lists_of_another_council(
                doc, found + [Found(e["start"], e["end"], ON_LIST, e["value"], "") for e in learned_lists], self._councils):
            entities = [e for e in entities if e not in learned_lists]
            withheld = frozenset({ON_LIST})
        entities = self._from_the_message(message, doc, entities, withheld)
        return sorted(entities, key=lambda e: (e.get("start", 0), e.get("end", 0)))

    def _from_the_message(self, message: Message, doc: Any, entities: List[Dict[Text, Any]],
                          withheld: FrozenSet[str] = frozenset()) -> List[Dict[Text, Any]]:
        """``entities`` with the message-level layer's reading of each fact of ``message_facts``,
        in a statement with no hedge. A fact no other layer found (nor left unsure, nor
        ``withheld``) is taken at ``message_value_threshold``. Where the layer is sure
        (``message_override_threshold``) it overrules the others: their value becomes its own,
        or goes where it reads the fact as not said. On unseen sets the patterns' slips ("no
        capacity at the minute, fully staffed out" read as spare capacity) outnumbered the
        layer's at that confidence. An "unknown" is a doubt's, never overruled."""
        intent = (message.get("intent") or {}).get("name")
        if self._message_values is None or intent not in STATEMENT_INTENTS:
            return entities
        if doc is not None and anywhere([t.norm_ for t in doc], self._hedges):
            return entities
        if doc is not None and sum(not t.is_punct for t in doc) < self._config["message_min_words"]:
            return entities
        left_unsure = {e["value"] for e in entities if e["entity"] == UNSURE} | withheld
        words_said = said_at_all(doc, self._allowed) if doc is not None else set()
        text = message.get(TEXT)
        readings = self._message_values.best(text, [f for f in self._config["message_facts"] if f not in left_unsure])
        kept, added = list(entities), []
        for fact, (value, probability) in readings.items():
            theirs = [e["value"] for e in entities if e["entity"] == fact]
            if theirs:
                if (probability < self._config["message_override_threshold"]
                        or UNKNOWN in theirs or theirs[-1] == value):
                    continue
                kept = [e for e in kept if e["entity"] != fact]
            elif fact in words_said or probability < self._config["message_value_threshold"]:
                continue
            if value in self._allowed.get(fact, ()):
                added.append({"entity": fact, "start": 0, "end": len(text), "value": value,
                              "extractor": type(self).__name__, "learned": "message"})
        return kept + added

    def _learned_fact(self, message: Message, entity: Mapping[str, Any], said, occupied) -> Optional[Dict[Text, Any]]:
        """The CRF's fact with a learned value, where the patterns said nothing of that fact;
        under a doubt, what a doubt gives instead (`_doubted`)."""
        fact, start, end = entity.get("entity"), entity.get("start", 0), entity.get("end", 0)
        intent = (message.get("intent") or {}).get("name")
        if (self._learned is None or entity.get("extractor") != CRF or fact in said
                or intent not in STATEMENT_INTENTS
                or float(entity.get("confidence_entity") or 0.0) < self._config["learned_entity_threshold"]
                or any(s < end and start < e for s, e in occupied)):
            return None
        doc = message.get(SPACY_DOCS[TEXT])
        # The CRF's span may take the hedge in ("no idea if we're registered"): its words count.
        if self._governed(doc, end, self._hedges):
            doubted = fact in self._doubtable and self._governed(doc, end, self._doubts)
            return self._doubted(fact, start, end) if doubted else None
        text = message.get(TEXT)[start:end]
        value = self._learned.value(fact, text, self._config["learned_value_threshold"])
        if value is None or value not in self._allowed.get(fact, ()):
            return None
        return {"entity": fact, "start": start, "end": end, "value": value, "learned": True}


def statements(training_data: TrainingData) -> List[Tuple[str, Dict[str, str]]]:
    """What the message-level layer learns from: each ``inform`` example of the training data
    with the facts annotated in it, then each statement in language/situations.yml."""
    from language.evaluation.sets import situations  # train time only, like `gather`

    examples = [
        (message.get(TEXT), {e["entity"]: str(e.get("value")) for e in message.get(ENTITIES, [])})
        for message in training_data.nlu_examples if message.get("intent") in STATEMENT_INTENTS
    ]
    return examples + [(c.text, dict(c.facts)) for c in situations().cases if c.intent in STATEMENT_INTENTS]
