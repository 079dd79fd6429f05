"""The route form: the walker decides which fact to ask next, and each answer is checked."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import TREE, ask, facts_from
from routes.walker import Question, advise, fill, known_facts


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
        """Only the next question on the visitor's path; none once a route can be given."""
        advice = advise(TREE, facts_from(tracker))
        return [advice.fact] if isinstance(advice, Question) else []

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
