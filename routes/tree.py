"""Load the decision tree from YAML and refuse a malformed one.

The tree is content a bid writer edits, so every mistake must be caught on load with a
message naming the node, rather than surfacing as a wrong answer in a conversation.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Tuple, Union

import yaml

ROUTES = ("framework", "dps", "spot", "register_first")
PLACEHOLDERS = {"council", "regulator"}
DEFAULT_TREE = Path(__file__).with_name("decision-tree.yml")

Condition = Dict[str, Tuple[str, ...]]


class TreeError(ValueError):
    """The decision tree file is malformed; the message names the node or section."""


@dataclass(frozen=True)
class Fact:
    name: str
    question: str
    answers: Dict[str, str]  # canonical value -> button label


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
class QuestionNode:
    id: str
    ask: str
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


Node = Union[QuestionNode, Leaf]


@dataclass(frozen=True)
class RouteWording:
    name: str
    also: str


REPLY_PARTS = ("intro", "also", "why", "next_steps", "caveats", "closing")


@dataclass(frozen=True, eq=False)
class DecisionTree:
    facts: Dict[str, Fact]
    routes: Dict[str, RouteWording]
    reply: Dict[str, str]
    regulators: Dict[str, str]
    start: str
    nodes: Dict[str, Node]
    caveats: Dict[str, Item]


def load_tree(path: Union[str, Path] = DEFAULT_TREE) -> DecisionTree:
    with open(path, encoding="utf-8") as handle:
        try:
            raw = yaml.safe_load(handle)
        except yaml.YAMLError as error:
            raise TreeError(f"{path}: not valid YAML: {error}") from error
    return parse_tree(raw)


def parse_tree(raw: object) -> DecisionTree:
    if not isinstance(raw, dict):
        raise TreeError("the tree must be a mapping with facts, routes, reply, regulators, start, nodes and caveats")
    for section in ("facts", "routes", "reply", "regulators", "start", "nodes", "caveats"):
        if section not in raw:
            raise TreeError(f"missing section '{section}'")
    facts = {name: _fact(name, body) for name, body in _mapping(raw["facts"], "facts").items()}
    caveats = {
        name: _item(body, "text", f"caveat '{name}'", facts)
        for name, body in _mapping(raw["caveats"], "caveats").items()
    }
    nodes = {
        node_id: _node(node_id, body, facts, caveats)
        for node_id, body in _mapping(raw["nodes"], "nodes").items()
    }
    tree = DecisionTree(
        facts=facts,
        routes=_routes(raw["routes"]),
        reply=_reply(raw["reply"]),
        regulators=_mapping(raw["regulators"], "regulators"),
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


def _fact(name: str, body: object) -> Fact:
    body = _mapping(body, f"fact '{name}'")
    if not isinstance(body.get("question"), str):
        raise TreeError(f"fact '{name}': needs a 'question' text")
    _check_placeholders(body["question"], f"fact '{name}'")
    answers = _mapping(body.get("answers"), f"fact '{name}': answers")
    return Fact(name, body["question"], {str(k): str(v) for k, v in answers.items()})


def _routes(raw: object) -> Dict[str, RouteWording]:
    raw = _mapping(raw, "routes")
    wording = {}
    for route in ROUTES:
        body = raw.get(route)
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("name", "also")):
            raise TreeError(f"routes: '{route}' needs a 'name' and an 'also' text")
        _check_placeholders(body["also"], f"routes: '{route}'")
        wording[route] = RouteWording(body["name"], body["also"])
    return wording


def _reply(raw: object) -> Dict[str, str]:
    raw = _mapping(raw, "reply")
    missing = [part for part in REPLY_PARTS if not isinstance(raw.get(part), str)]
    if missing:
        raise TreeError(f"reply: missing {', '.join(missing)}")
    return {part: raw[part] for part in REPLY_PARTS}


def _condition(raw: object, where: str, facts: Dict[str, Fact]) -> Condition:
    if raw is None:
        return {}
    condition = {}
    for name, values in _mapping(raw, where).items():
        if name not in facts:
            raise TreeError(f"{where}: condition on unknown fact '{name}'")
        values = tuple(values) if isinstance(values, list) else (values,)
        unknown = [v for v in values if v not in facts[name].answers]
        if unknown:
            raise TreeError(f"{where}: '{name}' has no answer {', '.join(map(str, unknown))}")
        condition[name] = values
    return condition


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


def _node(node_id: str, body: object, facts: Dict[str, Fact], caveats: Dict[str, Item]) -> Node:
    body = _mapping(body, f"node '{node_id}'")
    where = f"node '{node_id}'"
    if ("ask" in body) == ("route" in body):
        raise TreeError(f"{where}: needs either 'ask' (a question) or 'route' (a recommendation)")
    if "ask" in body:
        fact = facts.get(body["ask"])
        if fact is None:
            raise TreeError(f"{where}: asks about unknown fact '{body['ask']}'")
        branches = _mapping(body.get("branches"), f"{where}: branches")
        missing = [a for a in fact.answers if a not in branches]
        if missing:
            raise TreeError(f"{where}: no branch for answer(s) {', '.join(missing)} of '{fact.name}'")
        extra = [a for a in branches if a not in fact.answers]
        if extra:
            raise TreeError(f"{where}: branch for unknown answer(s) {', '.join(map(str, extra))}")
        return QuestionNode(node_id, fact.name, {str(k): str(v) for k, v in branches.items()})

    if body["route"] not in ROUTES:
        raise TreeError(f"{where}: route '{body['route']}' is not one of {', '.join(ROUTES)}")
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
        if also.value not in ROUTES or also.value == leaf.route:
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
        if isinstance(node, QuestionNode):
            for answer, target in node.branches.items():
                if target not in tree.nodes:
                    raise TreeError(f"node '{node.id}': branch '{answer}' leads to unknown node '{target}'")
    missing = [a for a in tree.facts.get("nation", Fact("", "", {})).answers if a not in tree.regulators]
    if missing:
        raise TreeError(f"regulators: no regulator for {', '.join(missing)}")

    reached, in_progress = set(), []

    def visit(node_id: str) -> None:
        if node_id in in_progress:
            cycle = " -> ".join(in_progress[in_progress.index(node_id):] + [node_id])
            raise TreeError(f"node '{node_id}': cycle {cycle}")
        if node_id in reached:
            return
        in_progress.append(node_id)
        node = tree.nodes[node_id]
        if isinstance(node, QuestionNode):
            for target in node.branches.values():
                visit(target)
        in_progress.pop()
        reached.add(node_id)

    visit(tree.start)
    unreachable = [node_id for node_id in tree.nodes if node_id not in reached]
    if unreachable:
        raise TreeError(f"node '{unreachable[0]}': unreachable from '{tree.start}'")
