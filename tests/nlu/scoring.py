"""Score a trained model on the held-out NLU set: intents and canonical entity values.

Rasa's own report compares entity spans token by token; this also checks that the value
that reaches the slot is the canonical one, which is what the decision tree depends on.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from language.contract import FACT_ENTITIES

HELDOUT = Path(__file__).with_name("heldout.yml")


@dataclass
class Example:
    text: str
    intent: str
    entities: Set[Tuple[str, str]]  # (entity, canonical value), fact entities only


@dataclass
class Parsed:
    example: Example
    intent: str
    entities: Set[Tuple[str, str]]


def load_examples(path: Path = HELDOUT) -> List[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).nlu_examples:
        entities = {
            (e["entity"], e["value"]) for e in message.get("entities", []) if e["entity"] in FACT_ENTITIES
        }
        examples.append(Example(message.get("text"), message.get("intent"), entities))
    return examples


def training_texts(data_dir: Path = Path(__file__).resolve().parents[2] / "data" / "nlu") -> Set[str]:
    """Plain texts of the training examples, lower-cased, to spot held-out lines also trained on."""
    from rasa.shared.nlu.training_data.loading import load_data

    return {" ".join(m.get("text").lower().split()) for m in load_data(str(data_dir)).nlu_examples}


def load_agent(model_path: Path):
    """The trained model, with Rasa's per-message debug log (structlog) kept quiet."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    return Agent.load(str(model_path))


def parse_texts(model_path: Path, texts: Iterable[str]) -> List[Dict]:
    """The model's parse of each text, in order."""
    agent = load_agent(model_path)

    async def parse() -> List[Dict]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(parse())


def parse_all(model_path: Path, examples: Iterable[Example]) -> List[Parsed]:
    examples = list(examples)
    parsed = []
    for example, result in zip(examples, parse_texts(model_path, (e.text for e in examples))):
        entities = {(e["entity"], str(e["value"])) for e in result["entities"] if e["entity"] in FACT_ENTITIES}
        parsed.append(Parsed(example, result["intent"]["name"], entities))
    return parsed


def f1(true_positive: int, false_positive: int, false_negative: int) -> float:
    if true_positive == 0:
        return 0.0 if false_positive or false_negative else 1.0
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    return 2 * precision * recall / (precision + recall)


def entity_value_f1(parsed: List[Parsed]) -> Dict[str, float]:
    """Per fact entity: an extraction counts only if both the entity and its value are right."""
    counts: Dict[str, Counter] = {name: Counter() for name in FACT_ENTITIES}
    for item in parsed:
        for name in FACT_ENTITIES:
            gold = {v for e, v in item.example.entities if e == name}
            found = {v for e, v in item.entities if e == name}
            counts[name].update(tp=len(gold & found), fp=len(found - gold), fn=len(gold - found))
    return {name: f1(c["tp"], c["fp"], c["fn"]) for name, c in counts.items()}


def intent_accuracy(parsed: List[Parsed]) -> float:
    return sum(p.intent == p.example.intent for p in parsed) / len(parsed)


def mistakes(parsed: List[Parsed], names: Optional[Iterable[str]] = None) -> List[str]:
    """Lines whose intent or fact entities are wrong; ``names``: only these facts (e.g. the ones
    a set written before a fact existed annotates)."""
    keep = set(FACT_ENTITIES if names is None else names)
    lines = []
    for p in parsed:
        found = {(e, v) for e, v in p.entities if e in keep}
        want = {(e, v) for e, v in p.example.entities if e in keep}
        if p.intent != p.example.intent or found != want:
            lines.append(f"{p.example.text!r}: intent {p.intent} (want {p.example.intent}), "
                         f"entities {sorted(found)} (want {sorted(want)})")
    return lines


# --- situations: what the walker will know after one message -------------------------------

SITUATIONS = Path(__file__).with_name("heldout-situations.yml")
COUNCIL = "council"


@dataclass
class Situation:
    text: str
    intent: str
    facts: Dict[str, str]  # fact -> canonical value; may include the nation inferred


@dataclass
class Understood:
    situation: Situation
    intent: str
    facts: Dict[str, str]  # what the slots would hold after the message, + the nation inferred


def load_situations(path: Path = SITUATIONS) -> List[Situation]:
    """``situations:`` [{text, intent, facts: {fact: value}}] (written blind; never trained on)."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [
        Situation(str(s["text"]), str(s.get("intent") or ""),
                  {str(k): str(v) for k, v in (s.get("facts") or {}).items() if v is not None})
        for s in data.get("situations") or []
    ]


@lru_cache(maxsize=1)
def _tree():
    from routes.tree import load_tree

    return load_tree()


def understood_facts(entities: Iterable[Dict]) -> Dict[str, str]:
    """The slots after one message (a non-list slot takes the LAST value of its entity) plus
    the nation worked out from them exactly as the walker does (routes.walker.known_facts)."""
    from routes.walker import known_facts

    facts: Dict[str, str] = {}
    for entity in entities:
        if entity["entity"] in FACT_ENTITIES or entity["entity"] == COUNCIL:
            facts[entity["entity"]] = str(entity["value"])
    nation = known_facts(_tree(), facts).get("nation")
    if nation:
        facts["nation"] = nation
    return facts


def understand(model_path: Path, situations: Iterable[Situation]) -> List[Understood]:
    situations = list(situations)
    results = parse_texts(model_path, (s.text for s in situations))
    return [Understood(situation, result["intent"]["name"], understood_facts(result["entities"]))
            for situation, result in zip(situations, results)]


def _same(fact: str, gold: str, found: str) -> bool:
    if fact == COUNCIL:  # a council's name or alias, or free text
        from routes.councils import councils

        g, f = councils().find(gold), councils().find(found)
        return (g or gold.strip().lower()) == (f or found.strip().lower())
    return gold == found


def fact_value_f1(understood: List[Understood], names: Iterable[str]) -> Dict[str, float]:
    """Per fact: right value = true positive; a wrong value is a false positive and a false
    negative; a value where none was meant is a false positive. Council only where the set
    gives one (its slot is free text)."""
    counts: Dict[str, Counter] = {name: Counter() for name in names}
    for item in understood:
        for name, c in counts.items():
            gold, found = item.situation.facts.get(name), item.facts.get(name)
            if name == COUNCIL and gold is None:
                continue
            if gold is not None and found is not None and _same(name, gold, found):
                c["tp"] += 1
            else:
                c["fp"] += found is not None
                c["fn"] += gold is not None
    return {name: f1(c["tp"], c["fp"], c["fn"]) for name, c in counts.items()}


def situation_intent_accuracy(understood: List[Understood]) -> float:
    return sum(u.intent == u.situation.intent for u in understood) / len(understood) if understood else 0.0


def situation_intent_f1(understood: List[Understood]) -> float:
    """Weighted intent F1 (as Rasa reports it)."""
    from sklearn.metrics import f1_score

    if not understood:
        return 0.0
    gold = [u.situation.intent for u in understood]
    return float(f1_score(gold, [u.intent for u in understood], average="weighted", zero_division=0))


def situation_facts(situations: Iterable[Situation]) -> List[str]:
    """The facts the set scores: every fact named in it, in the tree's order, then others."""
    named = {name for s in situations for name in s.facts}
    return [n for n in (*FACT_ENTITIES, COUNCIL) if n in named] + sorted(named - set(FACT_ENTITIES) - {COUNCIL})


def situation_mistakes(understood: List[Understood], names: Iterable[str]) -> List[str]:
    names = list(names)
    lines = []
    for u in understood:
        wrong = [n for n in names if (u.situation.facts.get(n) is not None or n != COUNCIL)
                 and not _agrees(n, u.situation.facts.get(n), u.facts.get(n))]
        if u.intent != u.situation.intent or wrong:
            lines.append(f"{u.situation.text!r}: intent {u.intent} (want {u.situation.intent}), "
                         + ", ".join(f"{n} {u.facts.get(n)} (want {u.situation.facts.get(n)})" for n in wrong))
    return lines


def _agrees(name: str, gold, found) -> bool:
    if gold is None or found is None:
        return gold is None and found is None
    return _same(name, gold, found)


def unseen(texts: Iterable[str], trained: Set[str]) -> List[bool]:
    """Per text: True if no training example has the same words (case and spacing aside)."""
    return [" ".join(t.lower().split()) not in trained for t in texts]
