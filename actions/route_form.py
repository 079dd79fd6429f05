"""The route form: the walker decides which fact to ask next, and each answer is checked."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import TREE, ask, facts_from
from routes.walker import Question, advise, facts_on_path, fill, known_facts, match_answer


class ValidateRouteForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_route_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        """The facts on the visitor's path: those answered, then the next question, if any.

        The SDK validates (and keeps extracted values for) only these slots, and the form
        asks for the first one still empty, so the walker decides what comes next.
        """
        return facts_on_path(TREE, facts_from(tracker))

    def _canonical(self, fact: str, value: Any) -> Dict[Text, Any]:
        """A value the tree does not know is dropped, so the question is asked again."""
        return {fact: value if value in TREE.facts[fact].answers else None}

    def validate_registration(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("registration", value)

    def validate_nation(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("nation", value)

    def validate_capacity(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("capacity", value)

    def validate_work_type(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("work_type", value)

    def validate_stage(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("stage", value)

    def validate_framework(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("framework", value)

    def validate_dps(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("dps", value)

    def validate_council(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"council": known_facts(TREE, {"council": value}).get("council")}


def _extract_typed_answer(form: ValidateRouteForm, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
    """A short typed answer to the question just asked ("new", "Wales"), when the NLU found no fact."""
    fact = tracker.get_slot("requested_slot")
    if fact not in TREE.facts or fact in tracker.slots_to_validate():
        return {}
    value = match_answer(TREE, fact, tracker.latest_message.get("text") or "")
    return {fact: value} if value else {}


# The SDK calls extract_<slot> for each slot the form may ask about.
for _fact in TREE.facts:
    setattr(ValidateRouteForm, f"extract_{_fact}", _extract_typed_answer)


class AskForFact(Action):
    """action_ask_<fact>: the form's question for one fact, worded in the decision tree."""

    fact: Optional[str] = None

    def name(self) -> Text:
        return f"action_ask_{self.fact}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        facts = facts_from(tracker)
        advice = advise(TREE, facts)
        if not (isinstance(advice, Question) and advice.fact == self.fact):
            fact = TREE.facts[self.fact]
            advice = Question(self.fact, fill(TREE, fact.question, facts), list(fact.answers.items()), 0, 1)
        ask(dispatcher, advice)
        return []


# One action per fact in the tree; Rasa's form looks them up by name.
ASK_ACTIONS = [type(f"AskFor_{fact}", (AskForFact,), {"fact": fact}) for fact in TREE.facts]
