"""Load the decision tree from YAML and refuse a malformed one.

The tree is content a bid writer edits, so every mistake must be caught on load with a
message naming the node or section, rather than surfacing as a wrong answer in a conversation.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple, Union

from routes.content import read_yaml

PLACEHOLDERS = {
    "council", "buyer", "nhs_buyer", "regulator", "regulator_short", "portals", "nation_name", "lists",
    "said_regulator", "said_regulator_nation",
}
NATION_FIELDS = ("name", "regulator", "regulator_short", "regulator_id", "portals", "lists", "buyer", "nhs_buyer")
REPLY_PARTS = ("intro", "first_steps", "assumed", "unsure", "more", "why", "next_steps", "caveats", "closing")
SECTIONS = ("facts", "derived", "implies", "nations", "routes", "reply", "glossary", "start", "nodes", "caveats")
DEFAULT_TREE = Path(__file__).with_name("decision-tree.yml")

Condition = Dict[str, Tuple[str, ...]]


class TreeError(ValueError):
    """The decision tree file is malformed; the message names the node or section."""


@dataclass(frozen=True)
class Fact:
    name: str
    answers: Dict[str, str]  # canonical value -> button label
    question: Optional[str] = None  # None: never asked, used when the visitor says it
    help: str = ""
    assume: Optional[str] = None  # taken (and said) after a second "not sure"
    derived: bool = False  # worked out by the walker, never said

    @property
    def asked(self) -> bool:
        return self.question is not None


@dataclass(frozen=True)
class Item:
    """A text, route or caveat id shown only when its conditions hold for the known facts."""

    value: str
    when: Condition = field(default_factory=dict)
    unless: Condition = field(default_factory=dict)

    def applies(self, facts: Mapping[str, str]) -> bool:
        if any(facts.get(name) not in values for name, values in self.when.items()):
            return False
        return not (self.unless and all(facts.get(n) in v for n, v in self.unless.items()))


@dataclass(frozen=True)
class Implication:
    condition: Condition
    then: Dict[str, str]


@dataclass(frozen=True)
class QuestionNode:
    id: str
    ask: str
    branches: Dict[str, str]


@dataclass(frozen=True)
class CheckNode:
    """Branches on a fact without asking for it; `otherwise` when the visitor didn't say."""

    id: str
    check: str
    otherwise: str
    branches: Dict[str, str]


@dataclass(frozen=True)
class Leaf:
    id: str
    route: str
    title: str
    why: List[Item]
    next_steps: List[Item]
    also: List[Item]
    caveats: List[Item]


Node = Union[QuestionNode, CheckNode, Leaf]


@dataclass(frozen=True, eq=False)
class DecisionTree:
    facts: Dict[str, Fact]  # said and derived facts, in the file's order
    implies: List[Implication]
    nations: Dict[str, Dict[str, str]]
    routes: Dict[str, str]  # route id -> name
    reply: Dict[str, object]
    glossary: Dict[str, str]
    start: str
    nodes: Dict[str, Node]
    caveats: Dict[str, List[Item]]  # id -> variants; the first that applies is shown

    @property
    def said_facts(self) -> List[str]:
        return [name for name, fact in self.facts.items() if not fact.derived]

    @property
    def asked_facts(self) -> List[str]:
        """The facts some question node asks, in the order the file lists the facts."""
        asked = {node.ask for node in self.nodes.values() if isinstance(node, QuestionNode)}
        return [name for name in self.facts if name in asked]


def load_tree(path: Union[str, Path] = DEFAULT_TREE) -> DecisionTree:
    return parse_tree(read_yaml(path, TreeError))


def parse_tree(raw: object) -> DecisionTree:
    if not isinstance(raw, dict):
        raise TreeError(f"the tree must be a mapping with {', '.join(SECTIONS)}")
    for section in SECTIONS:
        if section not in raw:
            raise TreeError(f"missing section '{section}'")
    facts = {name: _fact(name, body) for name, body in _mapping(raw["facts"], "facts").items()}
    for name, body in _mapping(raw["derived"], "derived").items():
        if name in facts:
            raise TreeError(f"derived: '{name}' is also a fact")
        facts[name] = _derived(name, body)
    caveats = {name: _caveat(name, body, facts) for name, body in _mapping(raw["caveats"], "caveats").items()}
    routes = _routes(raw["routes"])
    nodes = {
        node_id: _node(node_id, body, facts, caveats, routes)
        for node_id, body in _mapping(raw["nodes"], "nodes").items()
    }
    tree = DecisionTree(
        facts=facts,
        implies=_implies(raw["implies"], facts),
        nations=_nations(raw["nations"], facts),
        routes=routes,
        reply=_reply(raw["reply"]),
        glossary={str(k): str(v) for k, v in _mapping(raw["glossary"], "glossary").items()},
        start=raw["start"],
        nodes=nodes,
        caveats=caveats,
    )
    _check_structure(tree)
    return tree


def _mapping(value: object, where: str) -> dict:
    if not isinstance(value, dict) or not value:
        raise TreeError(f"{where}: expected a non-empty mapping")
    return value


def _answers(body: dict, where: str) -> Dict[str, str]:
    answers = _mapping(body.get("answers"), f"{where}: answers")
    return {str(k): str(v) for k, v in answers.items()}


def _fact(name: str, body: object) -> Fact:
    where = f"fact '{name}'"
    body = _mapping(body, where)
    answers = _answers(body, where)
    if ("question" in body) == ("said" in body):
        raise TreeError(f"{where}: needs either a 'question' (asked) or 'said' (used when mentioned)")
    if "said" in body:
        return Fact(name, answers)
    for key in ("question", "help"):
        if not isinstance(body.get(key), str):
            raise TreeError(f"{where}: needs a '{key}' text")
        _check_placeholders(body[key], where)
    assume = body.get("assume")
    if assume is not None and str(assume) not in answers:
        raise TreeError(f"{where}: 'assume' value '{assume}' is not one of its answers")
    if assume is None and "unknown" not in answers:
        raise TreeError(f"{where}: needs an 'unknown' answer or an 'assume' value for a visitor who isn't sure")
    return Fact(name, answers, body["question"], body["help"], None if assume is None else str(assume))


def _derived(name: str, body: object) -> Fact:
    body = _mapping(body, f"derived '{name}'")
    return Fact(name, _answers(body, f"derived '{name}'"), derived=True)


def _routes(raw: object) -> Dict[str, str]:
    routes = {}
    for route, body in _mapping(raw, "routes").items():
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise TreeError(f"routes: '{route}' needs a 'name'")
        routes[str(route)] = body["name"]
    return routes


def _reply(raw: object) -> Dict[str, object]:
    raw = _mapping(raw, "reply")
    missing = [part for part in REPLY_PARTS if not isinstance(raw.get(part), str)]
    if missing:
        raise TreeError(f"reply: missing {', '.join(missing)}")
    if not isinstance(raw.get("words"), int) or raw["words"] < 40:
        raise TreeError("reply: 'words' (the longest recommendation message) must be a number of at least 40")
    return {part: raw[part] for part in REPLY_PARTS + ("words",)}


def _nations(raw: object, facts: Dict[str, Fact]) -> Dict[str, Dict[str, str]]:
    raw = _mapping(raw, "nations")
    expected = (set(facts["nation"].answers) if "nation" in facts else set()) | {"default"}
    if set(raw) != expected:
        raise TreeError(f"nations: must list 'default' and exactly the nation fact's answers ({', '.join(sorted(expected))})")
    regulators = set(facts["regulator"].answers) if "regulator" in facts else set()
    nations = {}
    for nation, body in raw.items():
        body = _mapping(body, f"nations: '{nation}'")
        fields = [key for key in NATION_FIELDS if nation != "default" or key != "regulator_id"]
        missing = [key for key in fields if not isinstance(body.get(key), str)]
        if missing:
            raise TreeError(f"nations: '{nation}' is missing {', '.join(missing)}")
        if nation != "default" and body["regulator_id"] not in regulators:
            raise TreeError(f"nations: '{nation}' names regulator '{body['regulator_id']}', not an answer of 'regulator'")
        for key in fields:
            _check_placeholders(body[key], f"nations: '{nation}'")
        nations[nation] = {key: body[key] for key in fields}
    unclaimed = regulators - {body.get("regulator_id") for body in nations.values()}
    if unclaimed:
        raise TreeError(f"nations: no nation has regulator {', '.join(sorted(unclaimed))}")
    return nations


def _condition(raw: object, where: str, facts: Dict[str, Fact]) -> Condition:
    if raw is None:
        return {}
    condition = {}
    for name, values in _mapping(raw, where).items():
        if name not in facts:
            raise TreeError(f"{where}: condition on unknown fact '{name}'")
        values = tuple(str(v) for v in values) if isinstance(values, list) else (str(values),)
        unknown = [v for v in values if v not in facts[name].answers]
        if unknown:
            raise TreeError(f"{where}: '{name}' has no answer {', '.join(unknown)}")
        condition[name] = values
    return condition


def _implies(raw: object, facts: Dict[str, Fact]) -> List[Implication]:
    if not isinstance(raw, list):
        raise TreeError("implies: expected a list of {if, then}")
    rules = []
    for number, rule in enumerate(raw, 1):
        where = f"implies: rule {number}"
        if not isinstance(rule, dict) or set(rule) != {"if", "then"}:
            raise TreeError(f"{where}: needs exactly 'if' and 'then'")
        then = _condition(rule["then"], where, facts)
        if any(len(values) != 1 for values in then.values()):
            raise TreeError(f"{where}: 'then' gives one value per fact")
        rules.append(Implication(_condition(rule["if"], where, facts), {k: v[0] for k, v in then.items()}))
    return rules


def _item(raw: object, key: str, where: str, facts: Dict[str, Fact]) -> Item:
    if isinstance(raw, str):
        item = Item(raw)
    elif isinstance(raw, dict) and isinstance(raw.get(key), str):
        extra = set(raw) - {key, "when", "unless"}
        if extra:
            raise TreeError(f"{where}: unexpected key(s) {', '.join(sorted(extra))}")
        item = Item(
            raw[key],
            _condition(raw.get("when"), where, facts),
            _condition(raw.get("unless"), where, facts),
        )
    else:
        raise TreeError(f"{where}: expected a text or a mapping with '{key}'")
    _check_placeholders(item.value, where)
    return item


def _items(raw: object, key: str, where: str, facts: Dict[str, Fact]) -> List[Item]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise TreeError(f"{where}: expected a list")
    return [_item(entry, key, where, facts) for entry in raw]


def _caveat(name: str, raw: object, facts: Dict[str, Fact]) -> List[Item]:
    where = f"caveat '{name}'"
    variants = _items(raw, "text", where, facts) if isinstance(raw, list) else [_item(raw, "text", where, facts)]
    if not variants:
        raise TreeError(f"{where}: needs a text")
    return variants


def _branches(body: dict, fact: Fact, where: str) -> Dict[str, str]:
    branches = {str(k): str(v) for k, v in _mapping(body.get("branches"), f"{where}: branches").items()}
    missing = [a for a in fact.answers if a not in branches]
    if missing:
        raise TreeError(f"{where}: no branch for answer(s) {', '.join(missing)} of '{fact.name}'")
    extra = [a for a in branches if a not in fact.answers]
    if extra:
        raise TreeError(f"{where}: branch for unknown answer(s) {', '.join(extra)}")
    return branches


def _node(node_id: str, body: object, facts: Dict[str, Fact], caveats: Dict[str, List[Item]],
          routes: Dict[str, str]) -> Node:
    where = f"node '{node_id}'"
    body = _mapping(body, where)
    kinds = [kind for kind in ("ask", "check", "route") if kind in body]
    if len(kinds) != 1:
        raise TreeError(f"{where}: needs one of 'ask' (a question), 'check' or 'route' (a recommendation)")
    if "ask" in body:
        fact = facts.get(body["ask"])
        if fact is None or not fact.asked:
            raise TreeError(f"{where}: asks about '{body['ask']}', which is not a fact with a question")
        return QuestionNode(node_id, fact.name, _branches(body, fact, where))
    if "check" in body:
        fact = facts.get(body["check"])
        if fact is None:
            raise TreeError(f"{where}: checks unknown fact '{body['check']}'")
        otherwise = str(body.get("otherwise"))
        if otherwise not in fact.answers:
            raise TreeError(f"{where}: 'otherwise' must be one of the answers of '{fact.name}'")
        return CheckNode(node_id, fact.name, otherwise, _branches(body, fact, where))

    if body["route"] not in routes:
        raise TreeError(f"{where}: route '{body['route']}' is not one of {', '.join(routes)}")
    if not isinstance(body.get("title"), str):
        raise TreeError(f"{where}: needs a 'title'")
    _check_placeholders(body["title"], where)
    leaf = Leaf(
        id=node_id,
        route=body["route"],
        title=body["title"],
        why=_items(body.get("why"), "text", f"{where}: why", facts),
        next_steps=_items(body.get("next_steps"), "text", f"{where}: next_steps", facts),
        also=_items(body.get("also"), "route", f"{where}: also", facts),
        caveats=_items(body.get("caveats"), "id", f"{where}: caveats", facts),
    )
    if not leaf.why or not leaf.next_steps:
        raise TreeError(f"{where}: a recommendation needs 'why' and 'next_steps'")
    for also in leaf.also:
        if also.value not in routes or also.value == leaf.route:
            raise TreeError(f"{where}: 'also' route '{also.value}' is not another route")
    for caveat in leaf.caveats:
        if caveat.value not in caveats:
            raise TreeError(f"{where}: unknown caveat '{caveat.value}'")
    return leaf


def _check_placeholders(text: str, where: str) -> None:
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in PLACEHOLDERS:
            raise TreeError(f"{where}: unknown placeholder '{{{name}}}' in '{text}'")


def _check_structure(tree: DecisionTree) -> None:
    """Every branch leads to a node, there are no cycles and every node can be reached."""
    if tree.start not in tree.nodes:
        raise TreeError(f"start node '{tree.start}' does not exist")
    for node in tree.nodes.values():
        if isinstance(node, (QuestionNode, CheckNode)):
            for answer, target in node.branches.items():
                if target not in tree.nodes:
                    raise TreeError(f"node '{node.id}': branch '{answer}' leads to unknown node '{target}'")

    reached, in_progress = set(), []

    def visit(node_id: str) -> None:
        if node_id in in_progress:
            cycle = " -> ".join(in_progress[in_progress.index(node_id):] + [node_id])
            raise TreeError(f"node '{node_id}': cycle {cycle}")
        if node_id in reached:
            return
        in_progress.append(node_id)
        node = tree.nodes[node_id]
        if not isinstance(node, Leaf):
            for target in node.branches.values():
                visit(target)
        in_progress.pop()
        reached.add(node_id)

    visit(tree.start)
    unreachable = [node_id for node_id in tree.nodes if node_id not in reached]
    if unreachable:
        raise TreeError(f"node '{unreachable[0]}': unreachable from '{tree.start}'")
