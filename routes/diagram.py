"""Render the decision tree as a Mermaid flowchart for consultants to review.

Usage: python -m routes.diagram [tree.yml] > docs/decision-tree.md
GitHub and most Markdown viewers draw the ```mermaid block as a diagram.
"""
from __future__ import annotations

import sys
from typing import List

from routes.tree import DEFAULT_TREE, CheckNode, DecisionTree, Leaf, load_tree

ROUTE_STYLES = {
    "framework": "fill:#dbeafe,stroke:#1d4ed8",
    "dps": "fill:#dcfce7,stroke:#15803d",
    "spot": "fill:#fef9c3,stroke:#a16207",
    "register_first": "fill:#fee2e2,stroke:#b91c1c",
    "direct_payments": "fill:#f3e8ff,stroke:#7e22ce",
}


def _label(text: str) -> str:
    for placeholder, wording in (("{council}", "the council"), ("{buyer}", "the buyer"),
                                 ("{nhs_buyer}", "the NHS buyer"), ("{regulator}", "the regulator"),
                                 ("{regulator_short}", "the regulator"), ("{nation_name}", "the nation"),
                                 ("{lists}", "a DPS or approved list")):
        text = text.replace(placeholder, wording)
    return text.replace('"', "'")


def mermaid(tree: DecisionTree) -> str:
    lines: List[str] = ["flowchart TD"]
    for node in tree.nodes.values():
        if isinstance(node, Leaf):
            name = tree.routes[node.route]
            lines.append(f'    {node.id}["{name.upper()}<br/>{_label(node.title)}"]:::{node.route}')
        elif isinstance(node, CheckNode):
            lines.append(f'    {node.id}(["if they said: {node.check}"])')
        else:
            lines.append(f'    {node.id}{{"{_label(tree.facts[node.ask].question)}"}}')
    for node in tree.nodes.values():
        if isinstance(node, Leaf):
            continue
        fact = node.check if isinstance(node, CheckNode) else node.ask
        answers = tree.facts[fact].answers
        targets: dict = {}
        for answer, target in node.branches.items():
            label = answers[answer] + (" / not said" if isinstance(node, CheckNode) and answer == node.otherwise else "")
            targets.setdefault(target, []).append(label)
        for target, labels in targets.items():
            lines.append(f'    {node.id} -->|"{_label(" / ".join(labels))}"| {target}')
    lines += [f"    classDef {route} {style}" for route, style in ROUTE_STYLES.items()]
    return "\n".join(lines)


def document(tree: DecisionTree) -> str:
    return (
        "# The route advisor's decision tree\n\n"
        "Generated from `routes/decision-tree.yml` by `make diagram`; edit the YAML, not this file.\n\n"
        "```mermaid\n" + mermaid(tree) + "\n```\n"
    )


if __name__ == "__main__":
    sys.stdout.write(document(load_tree(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_TREE)))
