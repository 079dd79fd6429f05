"""Turn what the visitor has told us into the next question or a recommendation.

Pure Python with no Rasa imports, so the whole decision logic can be tested exhaustively
and reused by any channel. Facts with values the tree does not know count as not given.
What the visitor said is kept apart from what the walker works out from it (the nation from
the council or the regulator, the tree's `implies` rules, derived facts), so a question is
skipped when its answer follows from what was said, and never put to them again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from routes.tree import CheckNode, DecisionTree, Item, Leaf, QuestionNode

FREE_TEXT_FACTS = ("council",)  # used in wording and to infer the nation
FREE_TEXT_MAX_LENGTH = 60
# The entity saying a visitor doesn't know a fact (its value: the fact's name), as in "no idea if
# we're registered": the NLU emits it (language/canonical_values.py), the route form answers it
# as a "not sure" (answer_when_unsure).
UNSURE = "unsure"

NationOfPlace = Callable[[str], Optional[str]]


def _default_nation_of_place(text: str) -> Optional[str]:
    from routes.councils import councils

    return councils().nation_of(text)


@dataclass(frozen=True)
class Question:
    fact: str
    text: str
    help: str
    answers: List[Tuple[str, str]]  # (canonical value, button label)
    answered: int  # questions already answered on the way here
    remaining: int  # at most this many questions left, this one included

    def progress(self) -> Dict[str, int]:
        return {"step": self.answered + 1, "of": self.answered + self.remaining}


@dataclass(frozen=True)
class Recommendation:
    route: str
    route_name: str
    also: List[str]
    also_names: List[str]
    title: str
    why: List[str]
    next_steps: List[str]
    caveats: List[str]
    facts: Dict[str, str]
    leaf: str
    assumed: List[str] = field(default_factory=list)  # facts taken as assumed after "not sure"

    def payload(self) -> Dict[str, object]:
        """The machine-readable form the widget renders as a card and the site counts."""
        return {
            "recommendation": {
                "route": self.route,
                "route_name": self.route_name,
                "also": list(self.also),
                "also_names": list(self.also_names),
                "facts": dict(self.facts),
                "assumed": list(self.assumed),
                "title": self.title,
                "why": list(self.why),
                "next_steps": list(self.next_steps),
                "caveats": list(self.caveats),
            }
        }


Advice = Union[Question, Recommendation]


def said_facts(tree: DecisionTree, facts: Mapping[str, object]) -> Dict[str, str]:
    """Keep only canonical values of the facts a visitor can give, plus a tidy council name."""
    said = {
        name: value
        for name, value in facts.items()
        if name in tree.facts and not tree.facts[name].derived
        and isinstance(value, str) and value in tree.facts[name].answers
    }
    for name in FREE_TEXT_FACTS:
        value = facts.get(name)
        if isinstance(value, str) and value.strip():
            said[name] = " ".join(value.split())[:FREE_TEXT_MAX_LENGTH]
    return said


def known_facts(tree: DecisionTree, facts: Mapping[str, object],
                nation_of_place: NationOfPlace = _default_nation_of_place) -> Dict[str, str]:
    """What was said, plus what follows from it.

    The nation comes from the visitor's own words first, then from the council they named,
    then from the regulator they named; a rule in `implies` only fills a fact not yet known.
    """
    known = said_facts(tree, facts)
    if "nation" not in known and "council" in known:
        nation = nation_of_place(known["council"])
        if nation in tree.nations:
            known["nation"] = nation
    for rule in tree.implies:
        if Item("", rule.condition).applies(known):
            for name, value in rule.then.items():
                known.setdefault(name, value)
    regulator_nation = _regulator_nation(tree, known.get("regulator"))
    if regulator_nation:
        known.setdefault("nation", regulator_nation)
    if "cross_border" in tree.facts:
        crossing = (known.get("registration") == "registered" and regulator_nation is not None
                    and known.get("nation") not in (None, regulator_nation))
        known["cross_border"] = "yes" if crossing else "no"
    return known


def _regulator_nation(tree: DecisionTree, regulator: Optional[str]) -> Optional[str]:
    for nation, wording in tree.nations.items():
        if regulator is not None and wording.get("regulator_id") == regulator:
            return nation
    return None


def advise(tree: DecisionTree, facts: Mapping[str, object], assumed: Sequence[str] = (),
           nation_of_place: NationOfPlace = _default_nation_of_place) -> Advice:
    """The next question, or the recommendation once the path reaches one.

    `assumed` names the facts whose values were assumed after a second "not sure", so the
    recommendation can say so.
    """
    known = known_facts(tree, facts, nation_of_place)
    path, node = _walk(tree, known)
    if isinstance(node, QuestionNode):
        fact = tree.facts[node.ask]
        return Question(
            fact=fact.name,
            text=fill(tree, fact.question or "", known),
            help=fill(tree, fact.help, known),
            answers=list(fact.answers.items()),
            answered=len(path) - 1,
            remaining=_depths(tree)[node.id],
        )
    said = said_facts(tree, facts)
    return _recommend(tree, node, known, [name for name in assumed if name in said])


def facts_on_path(tree: DecisionTree, facts: Mapping[str, object],
                  nation_of_place: NationOfPlace = _default_nation_of_place) -> List[str]:
    """The facts the visitor is asked for on their path: those they gave, then the next one.

    A fact the walker worked out (the nation from the council, say) is not among them, so it
    is never asked.
    """
    said = said_facts(tree, facts)
    path, node = _walk(tree, known_facts(tree, facts, nation_of_place))
    next_fact = [node.ask] if isinstance(node, QuestionNode) else []
    return [name for name in path if name in said] + next_fact


def _walk(tree: DecisionTree, known: Dict[str, str]) -> Tuple[List[str], Union[QuestionNode, Leaf]]:
    """Follow the known answers from the start to the first unanswered question or a leaf."""
    asked: List[str] = []
    node = tree.nodes[tree.start]
    while not isinstance(node, Leaf):
        if isinstance(node, CheckNode):
            node = tree.nodes[node.branches[known.get(node.check, node.otherwise)]]
            continue
        asked.append(node.ask)
        value = known.get(node.ask)
        if value is None:
            return asked, node
        node = tree.nodes[node.branches[value]]
    return asked, node


def answer_when_unsure(tree: DecisionTree, fact: str, unsure_before: Sequence[str]) -> Optional[str]:
    """The value for a "not sure" to this fact's question, or None to ask once more with help.

    A fact with an "unknown" answer takes it at once; any other is asked again, then its
    `assume` value is taken, so no question is put more than twice in a row.
    """
    answers = tree.facts[fact].answers
    if "unknown" in answers:
        return "unknown"
    return tree.facts[fact].assume if fact in unsure_before else None


def _recommend(tree: DecisionTree, leaf: Leaf, known: Dict[str, str], assumed: List[str]) -> Recommendation:
    def texts(items: List[Item]) -> List[str]:
        return [fill(tree, item.value, known) for item in items if item.applies(known)]

    also: List[str] = []
    for item in leaf.also:
        if item.applies(known) and item.value not in also:
            also.append(item.value)
    caveats: List[str] = []
    for item in leaf.caveats:
        if item.applies(known):
            variant = next((v for v in tree.caveats[item.value] if v.applies(known)), None)
            if variant is not None:
                caveats.append(fill(tree, variant.value, known))
    return Recommendation(
        route=leaf.route,
        route_name=tree.routes[leaf.route],
        also=also,
        also_names=[tree.routes[route] for route in also],
        title=fill(tree, leaf.title, known),
        why=texts(leaf.why),
        next_steps=texts(leaf.next_steps),
        caveats=caveats,
        facts=known,
        leaf=leaf.id,
        assumed=assumed,
    )


def fill(tree: DecisionTree, text: str, known: Mapping[str, str]) -> str:
    """Put the visitor's council, buyer, regulator and portals into a text from the tree."""
    nation = tree.nations.get(known.get("nation", ""), tree.nations["default"])
    council = known.get("council", "the council")
    buyer = nation["buyer"].format(council=council)
    if known.get("nation") == "northern_ireland" and "trust" in council.lower():
        buyer = council  # they named the HSC Trust itself
    said_nation = tree.nations.get(_regulator_nation(tree, known.get("regulator")) or "", tree.nations["default"])
    return text.format(
        council=council,
        buyer=buyer,
        nhs_buyer=nation["nhs_buyer"],
        regulator=nation["regulator"],
        regulator_short=nation["regulator_short"],
        portals=nation["portals"].format(council=council),
        lists=nation["lists"],
        nation_name=nation["name"],
        said_regulator=said_nation["regulator_short"],
        said_regulator_nation=said_nation["name"],
    )


@lru_cache(maxsize=8)
def _depths(tree: DecisionTree) -> Dict[str, int]:
    """Most questions from each node to a recommendation (the tree has no cycles)."""
    depths: Dict[str, int] = {}

    def depth(node_id: str) -> int:
        if node_id not in depths:
            node = tree.nodes[node_id]
            if isinstance(node, Leaf):
                depths[node_id] = 0
            else:
                own = 1 if isinstance(node, QuestionNode) else 0
                depths[node_id] = own + max(depth(t) for t in node.branches.values())
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
