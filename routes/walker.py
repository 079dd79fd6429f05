"""Turn what the visitor has told us into the next question or a recommendation.

Pure Python with no Rasa imports, so the whole decision logic can be tested exhaustively
and reused by any channel. Facts with values the tree does not know count as not given.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Mapping, Optional, Tuple, Union

from routes.tree import DecisionTree, Item, Leaf, QuestionNode

FREE_TEXT_FACTS = ("council",)  # used in wording only, never in the decision
FREE_TEXT_MAX_LENGTH = 60


@dataclass(frozen=True)
class Question:
    fact: str
    text: str
    answers: List[Tuple[str, str]]  # (canonical value, button label)
    answered: int  # questions already answered on the way here
    remaining: int  # at most this many questions left, this one included

    def progress(self) -> Dict[str, int]:
        return {"step": self.answered + 1, "of": self.answered + self.remaining}


@dataclass(frozen=True)
class Recommendation:
    route: str
    also: List[str]
    title: str
    why: List[str]
    next_steps: List[str]
    caveats: List[str]
    facts: Dict[str, str]
    leaf: str

    def payload(self) -> Dict[str, object]:
        """The machine-readable form the widget renders as a card and the site counts."""
        return {
            "recommendation": {
                "route": self.route,
                "also": list(self.also),
                "facts": dict(self.facts),
                "title": self.title,
                "why": list(self.why),
                "next_steps": list(self.next_steps),
                "caveats": list(self.caveats),
            }
        }


Advice = Union[Question, Recommendation]


def known_facts(tree: DecisionTree, facts: Mapping[str, object]) -> Dict[str, str]:
    """Keep only canonical values of the tree's facts, plus a tidy council name."""
    known = {
        name: value
        for name, value in facts.items()
        if name in tree.facts and isinstance(value, str) and value in tree.facts[name].answers
    }
    for name in FREE_TEXT_FACTS:
        value = facts.get(name)
        if isinstance(value, str) and value.strip():
            known[name] = " ".join(value.split())[:FREE_TEXT_MAX_LENGTH]
    return known


def advise(tree: DecisionTree, facts: Mapping[str, object]) -> Advice:
    known = known_facts(tree, facts)
    asked, node = _walk(tree, known)
    if isinstance(node, QuestionNode):
        fact = tree.facts[node.ask]
        return Question(
            fact=fact.name,
            text=fill(tree, fact.question, known),
            answers=list(fact.answers.items()),
            answered=len(asked) - 1,
            remaining=_depths(tree)[node.id],
        )
    return _recommend(tree, node, known)


def facts_on_path(tree: DecisionTree, facts: Mapping[str, object]) -> List[str]:
    """The facts this visitor's path asks about so far: those answered, then the next one."""
    return _walk(tree, known_facts(tree, facts))[0]


def _walk(tree: DecisionTree, known: Dict[str, str]) -> Tuple[List[str], Union[QuestionNode, Leaf]]:
    """Follow the known answers from the start to the first unanswered question or a leaf."""
    asked: List[str] = []
    node = tree.nodes[tree.start]
    while isinstance(node, QuestionNode):
        asked.append(node.ask)
        value = known.get(node.ask)
        if value is None:
            break
        node = tree.nodes[node.branches[value]]
    return asked, node


def _recommend(tree: DecisionTree, leaf: Leaf, known: Dict[str, str]) -> Recommendation:
    def texts(items: List[Item]) -> List[str]:
        return [fill(tree, item.value, known) for item in items if item.applies(known)]

    also: List[str] = []
    for item in leaf.also:
        if item.applies(known) and item.value not in also:
            also.append(item.value)
    caveats = [
        tree.caveats[item.value]
        for item in leaf.caveats
        if item.applies(known) and tree.caveats[item.value].applies(known)
    ]
    return Recommendation(
        route=leaf.route,
        also=also,
        title=fill(tree, leaf.title, known),
        why=texts(leaf.why),
        next_steps=texts(leaf.next_steps),
        caveats=texts(caveats),
        facts=known,
        leaf=leaf.id,
    )


def fill(tree: DecisionTree, text: str, known: Dict[str, str]) -> str:
    regulator = tree.regulators.get(known.get("nation", ""), tree.regulators.get("default", "the regulator"))
    return text.format(council=known.get("council", "the council"), regulator=regulator)


@lru_cache(maxsize=8)
def _depths(tree: DecisionTree) -> Dict[str, int]:
    """Longest run of questions from each node to a recommendation (the tree has no cycles)."""
    depths: Dict[str, int] = {}

    def depth(node_id: str) -> int:
        if node_id not in depths:
            node = tree.nodes[node_id]
            depths[node_id] = (
                0 if isinstance(node, Leaf) else 1 + max(depth(t) for t in node.branches.values())
            )
        return depths[node_id]

    for node_id in tree.nodes:
        depth(node_id)
    return depths


def match_answer(tree: DecisionTree, fact: str, text: str) -> Optional[str]:
    """A short typed reply to a question ("new", "Wales", "not sure") as that fact's value.

    Matches a value or a button label exactly, or the first word of exactly one label, so
    that typing instead of clicking works; anything longer is left to the NLU.
    """
    said = _words(text)
    if not said or len(said.split()) > 4:
        return None
    answers = tree.facts[fact].answers
    exact = [value for value, label in answers.items() if said in (_words(value), _words(label))]
    if exact:
        return exact[0]
    first_words = [value for value, label in answers.items() if _words(label).split()[0] == said]
    return first_words[0] if len(first_words) == 1 else None


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())
