"""The route form: the walker decides which fact to ask next, and each answer is checked."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.advice import ASSUMED_SLOT, FACT_SLOTS, TREE, advice_for, ask, facts_from
from actions.conversation import selected_answer
from routes.walker import UNSURE, Question, answer_when_unsure, facts_on_path, fill, known_facts, match_answer, said_facts

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
        """The facts on the visitor's path (those answered, then the next question), then
        every other fact they have given, asked or not.

        The SDK validates (and keeps extracted values for) only these slots, and the form
        asks for the first one still empty, so the walker decides what comes next, and what
        a visitor said off the path (a framework closing soon while registration is pending)
        is kept for the advice.
        """
        path = facts_on_path(TREE, facts_from(tracker))
        given = [name for name in FACT_SLOTS if name not in path and tracker.get_slot(name) is not None]
        return path + given

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        """Answer a route question sent with an answer ("on their framework - what's a call-off?")
        before the next question: its facts keep the form's turn, so the rule that answers
        questions during the questions (it follows the form's rejection) never fires for it.
        Where the form does reject, Rasa drops these events and that rule answers instead."""
        answer = selected_answer(tracker)
        if answer:
            dispatcher.utter_message(response=answer)
        return await super().run(dispatcher, tracker, domain)

    def _canonical(self, fact: str, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        """A value the tree does not know is dropped, so the question is asked again; one taken
        for the visitor's doubt (extract below) is remembered as assumed, so the advice says so."""
        if value not in TREE.facts[fact].answers:
            return {fact: None}
        if value != "unknown" and _doubted(tracker, fact):
            return {fact: value, ASSUMED_SLOT: list(tracker.get_slot(ASSUMED_SLOT) or []) + [fact]}
        return {fact: value}

    def validate_service(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("service", value, tracker)

    def validate_nation(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("nation", value, tracker)

    def validate_registration(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("registration", value, tracker)

    def validate_regulator(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("regulator", value, tracker)

    def validate_funding(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("funding", value, tracker)

    def validate_stage(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("stage", value, tracker)

    def validate_on_list(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("on_list", value, tracker)

    def validate_dps(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("dps", value, tracker)

    def validate_framework(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("framework", value, tracker)

    def validate_capacity(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("capacity", value, tracker)

    def validate_work_type(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._canonical("work_type", value, tracker)

    def validate_council(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"council": said_facts(TREE, {"council": value}).get("council")}


def _extract_typed_answer(form: ValidateRouteForm, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
    """A short typed answer to the question just asked ("new", "Wales"), when the NLU found no
    fact; or the visitor's doubt about it ("not sure if we have capacity", the NLU's `unsure`),
    answered as a second "not sure" is: the tree's "unknown", or its assumption, remembered as one."""
    fact = tracker.get_slot("requested_slot")
    if fact not in TREE.facts or fact in tracker.slots_to_validate():
        return {}
    value = match_answer(TREE, fact, tracker.latest_message.get("text") or "")
    if not value and _doubted(tracker, fact):
        value = answer_when_unsure(TREE, fact, [fact])
    return {fact: value} if value else {}


def _doubted(tracker: Tracker, fact: str) -> bool:
    """Did the visitor's latest message say they are unsure of this fact (the NLU's `unsure`)?"""
    return fact in tracker.get_latest_entity_values(UNSURE)


# The SDK calls extract_<slot> for each slot the form may ask about.
for _fact in TREE.asked_facts:
    setattr(ValidateRouteForm, f"extract_{_fact}", _extract_typed_answer)


class ActionNotSure(Action):
    """A "not sure" to a question that has no "not sure" answer (the nation, say).

    The first time, say why the question matters (the form then asks it again); the second
    time in a row, take the tree's assumed value and remember that it was assumed, so the
    recommendation says so. No question is put more than twice in a row.
    """

    def name(self) -> Text:
        return "action_not_sure"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        fact = tracker.get_slot("requested_slot")
        if fact not in TREE.facts:
            return []
        value = answer_when_unsure(TREE, fact, [fact] if _unsure_last_time(tracker, fact) else [])
        if value is None:
            help_text = fill(TREE, TREE.facts[fact].help, known_facts(TREE, facts_from(tracker)))
            dispatcher.utter_message(text=str(TREE.reply["unsure"]).format(help=help_text))
            return []
        assumed = list(tracker.get_slot(ASSUMED_SLOT) or [])
        return [SlotSet(fact, value), SlotSet(ASSUMED_SLOT, assumed + [fact])]


def _unsure_last_time(tracker: Tracker, fact: str) -> bool:
    """Was the visitor's previous message also "not sure", to this same question?"""
    users = [event for event in tracker.events if event.get("event") == "user"]
    if len(users) < 2:
        return False
    previous = users[-2]
    return (previous.get("parse_data", {}).get("intent", {}).get("name") == "dont_know"
            and _requested_before(tracker, previous) == fact)


def _requested_before(tracker: Tracker, user_event: Dict[str, Any]) -> Optional[str]:
    requested = None
    for event in tracker.events:
        if event is user_event:
            return requested
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
    return requested


class AskForFact(Action):
    """action_ask_<fact>: the form's question for one fact, worded in the decision tree."""

    fact: Optional[str] = None

    def name(self) -> Text:
        return f"action_ask_{self.fact}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict]:
        advice = advice_for(tracker)
        if not (isinstance(advice, Question) and advice.fact == self.fact):
            fact = TREE.facts[self.fact]
            known = known_facts(TREE, facts_from(tracker))
            advice = Question(self.fact, fill(TREE, fact.question or "", known), fill(TREE, fact.help, known),
                              list(fact.answers.items()), 0, 1)
        ask(dispatcher, advice)
        return []


# One action per asked fact in the tree; Rasa's form looks them up by name.
ASK_ACTIONS = [type(f"AskFor_{fact}", (AskForFact,), {"fact": fact}) for fact in TREE.asked_facts]
