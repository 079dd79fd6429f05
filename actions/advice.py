"""What every action shares: the tree, loaded once, and how a question is put to the visitor."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from routes.tree import DEFAULT_TREE, DecisionTree, load_tree
from routes.walker import FREE_TEXT_FACTS, Advice, Question, advise

TREE: DecisionTree = load_tree(os.environ.get("ROUTE_TREE", DEFAULT_TREE))
FACT_SLOTS = TREE.said_facts + list(FREE_TEXT_FACTS)
ASSUMED_SLOT = "assumed"  # facts assumed after a second "not sure"; the recommendation says so


def facts_from(tracker: Tracker) -> Dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in FACT_SLOTS}


def advice_for(tracker: Tracker) -> Advice:
    return advise(TREE, facts_from(tracker), assumed=tracker.get_slot(ASSUMED_SLOT) or [])


def ask(dispatcher: CollectingDispatcher, question: Question) -> None:
    """The question with one button per answer; free text is always accepted too."""
    buttons: List[Dict[str, Any]] = [
        {"title": label, "payload": "/inform" + json.dumps({question.fact: value})}
        for value, label in question.answers
    ]
    dispatcher.utter_message(text=question.text, buttons=buttons)
    dispatcher.utter_message(json_message={"progress": question.progress(), "asking": question.fact})


def ask_next_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Ask the next missing fact, if any; False when everything needed is known."""
    advice = advice_for(tracker)
    if isinstance(advice, Question):
        ask(dispatcher, advice)
        return True
    return False
