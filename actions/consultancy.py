"""The consultancy's details (consultancy.yml / CONSULTANCY_*, through leads.configured()) in replies.

The action server checks them when it starts, so a bad value stops it with a message naming the
field rather than reaching a visitor. Actions pass them to the responses they send; the session
start keeps the ones the rules' responses name (utter_iamabot, utter_goodbye) in slots.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import leads

leads.configured()  # fail at start-up, naming the field, on a bad consultancy.yml or setting

# The details kept in slots (domain.yml), for responses that no action sends.
CONSULTANCY_SLOTS = ("consultancy_name", "consultancy_phone", "consultancy_email",
                     "consultancy_opening_hours", "consultancy_contact_url")


def consultancy_details() -> dict[str, str]:
    """Every detail as text, keyed consultancy_<field>, for filling in responses."""
    return leads.configured().consultancy.as_text()


def consultancy_slot_events() -> list[dict[str, Any]]:
    details = consultancy_details()
    return [SlotSet(slot, details[slot]) for slot in CONSULTANCY_SLOTS]


class ActionSessionStart(Action):
    """Rasa's session start (slots carried over, as domain.yml asks), plus the consultancy's details."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        carried = [SlotSet(name, value) for name, value in tracker.slots.items()
                   if value is not None and name not in CONSULTANCY_SLOTS]
        return [SessionStarted(), *carried, *consultancy_slot_events(), ActionExecuted("action_listen")]
