"""The lead flow (issue 9): the free assessment offer, the contact details, consent, and deletion.

Thin adapters: the words are in actions/leads.yml (and the rules' responses in domain.yml), the
flow is data/leads-rules.yml, storing and deleting are leads.save_lead / leads.delete_visitor_data,
run in an executor (they block on the database). Nothing is stored unless the visitor agreed to
the consent wording they were shown, and that wording is stored with the lead.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import leads
from actions.advice import ASSUMED_SLOT, FACT_SLOTS, advice_for, facts_from
from actions.consultancy import consultancy_details, consultancy_slot_events
from actions.lead_messages import offer, say
from actions.recommendation import CARD_CHANNELS
from leads.schema import LENGTHS
from leads.validate import is_email, is_phone
from routes.walker import Question

logger = logging.getLogger(__name__)

LEAD_SLOTS = ("lead_name", "lead_organisation", "lead_email", "lead_phone", "lead_area")
LIMITS = {"lead_name": LENGTHS["name"], "lead_organisation": LENGTHS["organisation"],
          "lead_area": LENGTHS["council_or_area"]}
# While these are asked, a fact heard in the answer ("Sunrise Home Care Ltd") is not taken as a fact.
CONTACT_DETAILS = ("lead_name", "lead_organisation", "lead_email", "lead_phone")
NO_PHONE = "none"  # lead_phone when the visitor chose to give none
SKIP_PHONE = {"skip", "no", "none", "n/a", "na", "no phone", "no thanks", "no number", "rather not",
              "i'd rather not", "prefer not to say", "email only", "email is fine"}
SKIP_PHONE_INTENTS = {"deny", "dont_know"}
# The lead's route and title when the visitor asked before any recommendation.
NO_ROUTE, NO_RECOMMENDATION = "none", "No recommendation yet"
AGREE, DECLINE = '/consent{"consent": "agreed"}', '/consent{"consent": "declined"}'
# Everything the conversation knows about the visitor and their service, reset by "delete my data".
CONVERSATION_SLOTS = (*FACT_SLOTS, ASSUMED_SLOT, "unsure", "route", *LEAD_SLOTS, "requested_slot")

_EMAIL_CANDIDATE = re.compile(r"\S*@\S*")
_PHONE_CANDIDATE = re.compile(r"\+?[0-9(][0-9 ()\-]{5,}[0-9]")


def _filled(tracker: Tracker) -> dict[str, Any]:
    """What a message may name: the consultancy's details and the visitor's."""
    return {**consultancy_details(), **{slot: tracker.get_slot(slot) for slot in LEAD_SLOTS}}


async def _blocking(function: Callable[..., Any], **kwargs: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, **kwargs))


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())


def slot_values_before_latest_message(tracker: Tracker) -> dict[str, Any]:
    """The slots as they were before the visitor's latest message."""
    values: dict[str, Any] = {}
    events = tracker.events
    last_user = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=len(events))
    for event in events[:last_user]:
        if event.get("event") == "slot":
            values[event["name"]] = event.get("value")
        elif event.get("event") in ("reset_slots", "restart"):
            values.clear()
    return values


def email_in(text: str) -> tuple[str | None, str | None]:
    """The email address in what the visitor typed, else None and the key of the reason it isn't one."""
    if "@" not in text:
        return None, "invalid.email_no_at"
    if re.search(r"\S\s+@|@\s+\S", text):
        return None, "invalid.email_has_spaces"
    candidates = [c.strip(".,;:!?()<>\"'") for c in _EMAIL_CANDIDATE.findall(text)]
    if len(candidates) != 1:
        return None, "invalid.email_unclear"
    email = candidates[0]
    if len(email) > LENGTHS["email"]:
        return None, "invalid.email_too_long"
    if is_email(email):
        return email, None
    local, _, domain = email.partition("@")
    if local and domain and "@" not in domain and "." not in domain:
        return None, "invalid.email_no_domain"
    return None, "invalid.email_unclear"


def phone_in(text: str) -> str | None:
    found = _PHONE_CANDIDATE.search(text)
    phone = found.group(0).strip() if found else ""
    return phone if is_phone(phone) and len(phone) <= LENGTHS["phone"] else None


class ValidateLeadForm(FormValidationAction):
    """The contact details: what is known is skipped, each answer checked, a reason given when not.

    domain.yml has no utter_ask_lead_* responses: Rasa's form then leaves the asking to this
    action, which words each question from actions/leads.yml.
    """

    def name(self) -> str:
        return "validate_lead_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        """The area is not asked when the council is a known fact."""
        if tracker.get_slot("council"):
            return [slot for slot in domain_slots if slot != "lead_area"]
        return domain_slots

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> list[dict]:
        """The details, checked; facts the NLU heard in a name or an organisation put back as they were."""
        kept = self._facts_kept(tracker)
        return kept + await super().get_validation_events(dispatcher, tracker, domain)

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict:
        """The first missing detail, asked; none left ends the form."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.get_slot(slot) is None), None)
        if missing:
            dispatcher.utter_message(text=say(f"ask.{missing}", **_filled(tracker)))
        return SlotSet("requested_slot", missing)

    @staticmethod
    def _facts_kept(tracker: Tracker) -> list[dict]:
        if tracker.get_slot("requested_slot") not in CONTACT_DETAILS:
            return []
        before = slot_values_before_latest_message(tracker)
        return [SlotSet(slot, before.get(slot)) for slot in tracker.slots_to_validate()
                if slot in FACT_SLOTS and before.get(slot) != tracker.get_slot(slot)]

    @staticmethod
    def _text(slot: str, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        text = _one_line(value)
        if len(text) > LIMITS[slot]:
            dispatcher.utter_message(text=say("invalid.too_long", limit=LIMITS[slot]))
            return {slot: None}
        return {slot: text or None}

    def validate_lead_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._text("lead_name", value, dispatcher)

    def validate_lead_organisation(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._text("lead_organisation", value, dispatcher)

    def validate_lead_area(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return self._text("lead_area", value, dispatcher)

    def validate_lead_email(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        email, problem = email_in(_one_line(value))
        if problem:
            dispatcher.utter_message(text=say(problem))
        return {"lead_email": email}

    def validate_lead_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = _one_line(value)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in SKIP_PHONE_INTENTS or text.lower().strip(" .!") in SKIP_PHONE:
            return {"lead_phone": NO_PHONE}
        phone = phone_in(text)
        if phone is None:
            dispatcher.utter_message(text=say("invalid.phone"))
        return {"lead_phone": phone}


class ActionOfferAssessment(Action):
    """The free assessment offer, with the consultancy's phone, email, hours and contact page."""

    def name(self) -> str:
        return "action_offer_assessment"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        offer(dispatcher, "offer")
        return consultancy_slot_events()


class ActionRequestConsent(Action):
    """The consent request: what is kept, why, for how long, who sees it, and the privacy notice.

    The widget (socket.io) gets the consent payload it shows as a block; other channels get the
    same words as text, with the privacy notice's address and buttons.
    """

    def name(self) -> str:
        return "action_request_consent"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        details = consultancy_details()
        text = say("consent.text", **details)
        if tracker.get_latest_input_channel() in CARD_CHANNELS:
            dispatcher.utter_message(json_message={"consent": {
                "text": text, "privacy_url": details["consultancy_privacy_url"], "agree": AGREE, "decline": DECLINE,
            }})
        else:
            dispatcher.utter_message(text=f"{text} {say('consent.text_link', **details)}", buttons=[
                {"title": say("consent.agree"), "payload": AGREE},
                {"title": say("consent.decline"), "payload": DECLINE},
            ])
        return []


def consent_agreed(tracker: Tracker) -> bool:
    """Only a yes to the request, or its "I agree" button, is consent; anything else is not."""
    message = tracker.latest_message
    intent = (message.get("intent") or {}).get("name")
    if intent == "affirm":
        return True
    return intent == "consent" and any(
        entity.get("entity") == "consent" and entity.get("value") == "agreed"
        for entity in message.get("entities") or []
    )


def consent_shown(tracker: Tracker) -> str | None:
    """The consent wording the visitor was last shown, exactly as action_request_consent sent it."""
    shown = None
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == ActionRequestConsent().name():
            return shown
        if event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            shown = (custom.get("consent") or {}).get("text") or event.get("text") or shown
    return None


def latest_message_time(tracker: Tracker) -> datetime:
    """When the visitor sent their latest message (the consenting one), in UTC."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and event.get("timestamp") is not None:
            return datetime.fromtimestamp(float(event["timestamp"]), tz=timezone.utc)
    raise ValueError("the conversation holds no message from the visitor")


def lead_from(tracker: Tracker, consent_text: str) -> dict[str, Any]:
    """The lead as leads.save_lead takes it: the details, the facts and the recommendation."""
    advice = advice_for(tracker)
    recommended = not isinstance(advice, Question)
    phone = tracker.get_slot("lead_phone")
    return {
        "sender_id": tracker.sender_id,
        "name": tracker.get_slot("lead_name"),
        "organisation": tracker.get_slot("lead_organisation"),
        "email": tracker.get_slot("lead_email"),
        "phone": None if phone in (None, NO_PHONE) else phone,
        "council_or_area": tracker.get_slot("council") or tracker.get_slot("lead_area"),
        "facts": {fact: value for fact, value in facts_from(tracker).items() if value is not None},
        "route": advice.route if recommended else NO_ROUTE,
        "recommendation_title": advice.title if recommended else NO_RECOMMENDATION,
        "consent_text": consent_text,
        "consent_at": latest_message_time(tracker),
    }


def forget_details() -> list[dict]:
    return [SlotSet(slot, None) for slot in LEAD_SLOTS]


class ActionRecordConsent(Action):
    """Agreed: store the lead with the wording shown and say what happens next. Otherwise store nothing."""

    def name(self) -> str:
        return "action_record_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        values = _filled(tracker)
        shown = consent_shown(tracker)
        if not consent_agreed(tracker) or shown is None:
            dispatcher.utter_message(text=say("consent_declined", **values))
            return forget_details()
        try:
            lead_id = await _blocking(leads.save_lead, **lead_from(tracker, shown))
        except (leads.LeadError, leads.DatabaseError, sa.exc.SQLAlchemyError) as error:
            logger.error("A consented lead could not be stored: %s", error)
            dispatcher.utter_message(text=say("not_saved", **values))
            return forget_details()
        logger.info("Lead %d stored with the visitor's consent", lead_id)
        dispatcher.utter_message(text=say("saved", **values))
        return []


class ActionStopLead(Action):
    """ "No thanks" or "stop" while the details are asked: say so kindly and forget them."""

    def name(self) -> str:
        return "action_stop_lead"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        dispatcher.utter_message(text=say("stopped"))
        return [*forget_details(), SlotSet("requested_slot", None)]


class ActionResumeQuestions(Action):
    """After the lead flow: the route questions carry on where they were, if they had begun."""

    def name(self) -> str:
        return "action_resume_questions"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        begun = any(value is not None for value in facts_from(tracker).values())
        if begun and isinstance(advice_for(tracker), Question):
            return [FollowupAction("route_form")]
        return []


class ActionDeleteVisitorData(Action):
    """ "Delete my data", confirmed: the visitor's leads and stored conversation go, and the facts."""

    def name(self) -> str:
        return "action_delete_visitor_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        details = consultancy_details()
        try:
            deleted = await _blocking(leads.delete_visitor_data, sender_id=tracker.sender_id)
        except sa.exc.SQLAlchemyError as error:
            logger.error("A visitor's data could not be deleted: %s", error)
            dispatcher.utter_message(text=say("not_deleted", **details))
            return []
        dispatcher.utter_message(text=say("deleted" if deleted.leads else "deleted_no_lead",
                                          events=deleted.events, **details))
        return [SlotSet(slot, None) for slot in CONVERSATION_SLOTS]
