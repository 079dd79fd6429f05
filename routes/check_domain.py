"""Check Rasa's files against the decision tree, the one source of the facts.

    python -m routes.check_domain      # run by `make validate`; exit 1 with each mismatch

The tree names the facts, their values and which are asked. domain.yml (entities, slots, the
form and its ask actions), config.yml (the entity extractor's dimensions) and docs/contract.md
(the facts table) each repeat some of that for Rasa or for readers; this says where they drift.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List

import yaml

from routes.tree import DecisionTree, load_tree
from routes.walker import FREE_TEXT_FACTS, UNSURE

ROOT = Path(__file__).resolve().parent.parent


def problems(tree: DecisionTree, root: Path = ROOT) -> List[str]:
    found: List[str] = []
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    slots = domain.get("slots") or {}
    entities = set(domain.get("entities") or [])
    for name in tree.said_facts:
        values = list(tree.facts[name].answers)
        if name not in entities:
            found.append(f"domain.yml: no entity '{name}'")
        slot = slots.get(name)
        if not slot or slot.get("type") != "categorical":
            found.append(f"domain.yml: '{name}' needs a categorical slot")
        elif [str(v) for v in slot.get("values", [])] != values:
            found.append(f"domain.yml: slot '{name}' values {slot.get('values')} should be {values}")
    for name in FREE_TEXT_FACTS:
        if name not in entities or name not in slots:
            found.append(f"domain.yml: '{name}' needs an entity and a slot")
    if UNSURE not in entities:
        found.append(f"domain.yml: no entity '{UNSURE}' (the fact a visitor doesn't know, routes/walker.py)")
    route_values = [str(v) for v in (slots.get("route") or {}).get("values", [])]
    if route_values != list(tree.routes):
        found.append(f"domain.yml: slot 'route' values {route_values} should be {list(tree.routes)}")
    required = ((domain.get("forms") or {}).get("route_form") or {}).get("required_slots")
    if required != tree.asked_facts:
        found.append(f"domain.yml: route_form required_slots {required} should be {tree.asked_facts}")
    actions = set(domain.get("actions") or [])
    ask_actions = {a for a in actions if a.startswith("action_ask_")}
    expected = {f"action_ask_{name}" for name in tree.asked_facts}
    for action in sorted(expected - ask_actions):
        found.append(f"domain.yml: missing action '{action}'")
    for action in sorted(ask_actions - expected):
        found.append(f"domain.yml: '{action}' asks about a fact the tree never asks")

    config = yaml.safe_load((root / "config.yml").read_text(encoding="utf-8"))
    for component in config.get("pipeline") or []:
        for dimension in component.get("dimensions") or []:
            if dimension not in tree.said_facts:
                found.append(f"config.yml: {component['name']} dimension '{dimension}' is not a fact of the tree")

    contract = (root / "docs" / "contract.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]*) \|", contract, re.MULTILINE))
    for name in tree.said_facts:
        listed = re.findall(r"`(\w+)`", rows.get(name, ""))
        if listed != list(tree.facts[name].answers):
            found.append(f"docs/contract.md: the row for '{name}' lists {listed}, not {list(tree.facts[name].answers)}")
    return found


def main() -> int:
    found = problems(load_tree())
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        print("domain.yml, config.yml and docs/contract.md agree with routes/decision-tree.yml")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
