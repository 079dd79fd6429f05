"""Score a trained model on the held-out NLU set: intents and canonical entity values.

Rasa's own report compares entity spans token by token; this also checks that the value
that reaches the slot is the canonical one, which is what the decision tree depends on.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

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

    return {m.get("text").lower() for m in load_data(str(data_dir)).nlu_examples}


def parse_all(model_path: Path, examples: Iterable[Example]) -> List[Parsed]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))

    async def parse() -> List[Parsed]:
        parsed = []
        for example in examples:
            result = await agent.parse_message(example.text)
            entities = {(e["entity"], str(e["value"])) for e in result["entities"] if e["entity"] in FACT_ENTITIES}
            parsed.append(Parsed(example, result["intent"]["name"], entities))
        return parsed

    return asyncio.run(parse())


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


def mistakes(parsed: List[Parsed]) -> List[str]:
    lines = []
    for p in parsed:
        if p.intent != p.example.intent or p.entities != p.example.entities:
            lines.append(f"{p.example.text!r}: intent {p.intent} (want {p.example.intent}), "
                         f"entities {sorted(p.entities)} (want {sorted(p.example.entities)})")
    return lines
