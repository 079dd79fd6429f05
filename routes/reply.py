"""Word a recommendation for a chat window: short first, the rest on request.

The first message carries the route, the first reason and as many first steps as fit in the
tree's word limit; "tell me more" gives every reason, step and caveat. A term's first use in a
message carries its short explanation from the tree's glossary.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Set

from routes.tree import DecisionTree
from routes.walker import Recommendation


def word_count(text: str) -> int:
    return len(text.split())


def gloss(tree: DecisionTree, text: str, seen: Set[str]) -> str:
    """Explain each glossary term the first time it appears (`seen` spans a whole message)."""
    for term in sorted(tree.glossary, key=len, reverse=True):
        if term in seen:
            continue
        flags = 0 if term.isupper() else re.IGNORECASE
        match = re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])(?!\s*\()", text, flags)
        if match:
            text = f"{text[:match.end()]} ({tree.glossary[term]}){text[match.end():]}"
            seen.add(term)
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _assumptions(tree: DecisionTree, recommendation: Recommendation) -> Optional[str]:
    labels = [f"\"{tree.facts[name].answers[recommendation.facts[name]]}\""
              for name in recommendation.assumed if name in recommendation.facts]
    if not labels:
        return None
    return str(tree.reply["assumed"]).format(assumptions=" and ".join(labels))


def recommendation_headline(tree: DecisionTree, recommendation: Recommendation, seen: Optional[Set[str]] = None) -> str:
    """The recommendation in one sentence: on the widget, where the card shows the rest."""
    return gloss(tree, str(tree.reply["intro"]).format(title=recommendation.title), set() if seen is None else seen)


def recommendation_message(tree: DecisionTree, recommendation: Recommendation) -> str:
    """The chat message: route, why in a sentence or two, the first steps that fit the limit."""
    limit = int(tree.reply["words"])
    seen: Set[str] = set()
    head = recommendation_headline(tree, recommendation, seen)
    head += " " + gloss(tree, _sentence(recommendation.why[0]), seen)
    tail = [line for line in (_assumptions(tree, recommendation), str(tree.reply["more"])) if line]
    steps: List[str] = []
    for step in recommendation.next_steps:
        trial_seen = set(seen)
        numbered = f"{len(steps) + 1}. {gloss(tree, _sentence(step), trial_seen)}"
        candidate = [head, str(tree.reply["first_steps"]), *steps, numbered, *tail]
        if steps and word_count("\n".join(candidate)) > limit:
            break
        steps.append(numbered)
        seen = trial_seen
        if len(steps) == 3:
            break
    return "\n".join([head, str(tree.reply["first_steps"]), *steps, *tail])


def more_messages(tree: DecisionTree, recommendation: Recommendation) -> List[str]:
    """Everything behind the recommendation, a section per message, for "tell me more"."""
    sections = [
        (tree.reply["why"], recommendation.why),
        (tree.reply["next_steps"], recommendation.next_steps),
        (tree.reply["caveats"], recommendation.caveats),
    ]
    messages = []
    for heading, lines in sections:
        if lines:
            seen: Set[str] = set()
            messages.append("\n".join([str(heading)] + [f"• {gloss(tree, _sentence(line), seen)}" for line in lines]))
    messages.append(str(tree.reply["closing"]))
    return messages


def glossed_payload(tree: DecisionTree, recommendation: Recommendation) -> Dict[str, object]:
    """The card's payload, each term explained at its first use on the card."""
    payload = recommendation.payload()
    card = payload["recommendation"]
    seen: Set[str] = set()
    card["title"] = gloss(tree, card["title"], seen)
    for key in ("why", "next_steps", "caveats"):
        card[key] = [gloss(tree, line, seen) for line in card[key]]
    return payload
