"""Word a recommendation as one plain-text message (the widget also gets the payload)."""
from __future__ import annotations

from typing import List

from routes.tree import DecisionTree
from routes.walker import Recommendation, fill


def recommendation_headline(tree: DecisionTree, recommendation: Recommendation) -> str:
    return tree.reply["intro"].format(title=recommendation.title)


def recommendation_text(tree: DecisionTree, recommendation: Recommendation) -> str:
    reply = tree.reply
    sections: List[str] = [recommendation_headline(tree, recommendation)]
    if recommendation.also:
        sections.append(_bullets(reply["also"], [fill(tree, tree.routes[r].also, recommendation.facts) for r in recommendation.also]))
    sections.append(_bullets(reply["why"], recommendation.why))
    sections.append(_bullets(reply["next_steps"], recommendation.next_steps))
    if recommendation.caveats:
        sections.append(_bullets(reply["caveats"], recommendation.caveats))
    sections.append(reply["closing"])
    return "\n".join(sections)  # one message: channels split text on blank lines


def _bullets(heading: str, lines: List[str]) -> str:
    return "\n".join([heading] + [f"• {line}" for line in lines])
