"""The lead flow's actions on real Tracker objects and a real SQLite database (leads' own tables
and Rasa's events table): nothing is stored without consent, and deletion removes what was."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet as CoreSlotSet
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.events import FollowupAction, SlotSet

import leads
from actions.leads import (
    NO_PHONE,
    ActionDeleteVisitorData,
    ActionOfferAssessment,
    ActionRecordConsent,
    ActionRequestConsent,
    ActionResumeQuestions,
    ValidateLeadForm,
    email_in,
)
from actions.recommendation import ActionRecommend
from tests.actions.test_actions import texts

CONSULTANCY = leads.load_consultancy()


@pytest.fixture
def lead_db(tmp_path, monkeypatch):
    """A leads database of the test's own (the same file as a Rasa tracker store), set up as in production."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    monkeypatch.setenv("LEADS_DB_URL", url)
    leads.configured.cache_clear()
    yield url
    leads.configured().store.dispose()
    leads.configured.cache_clear()


def run(action, dispatcher, tracker, domain):
    result = action.run(dispatcher, tracker, domain)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def test_the_offer_names_the_consultancys_contact_details_and_has_two_buttons(tracker_named, dispatcher, domain):
    events = ActionOfferAssessment().run(dispatcher, tracker_named("registered_only"), domain)
    [message] = dispatcher.messages
    for detail in (CONSULTANCY.name, CONSULTANCY.phone, CONSULTANCY.email, CONSULTANCY.opening_hours,
                   CONSULTANCY.contact_url):
        assert detail in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/request_assessment", "/deny"]
    assert [b["title"] for b in message["buttons"]] == ["Yes, book my free assessment", "No thanks"]
    assert SlotSet("consultancy_phone", CONSULTANCY.phone) in events


def test_the_recommendation_ends_with_the_offer(tracker_named, dispatcher, domain):
    ActionRecommend().run(dispatcher, tracker_named("new_provider_dps_open"), domain)
    offer = dispatcher.messages[-1]
    assert offer["text"].startswith("Would you like a free, honest assessment")
    assert [b["payload"] for b in offer["buttons"]] == ["/request_assessment", "/deny"]


@pytest.mark.parametrize("typed, email, reason", [
    ("jane@example.co.uk", "jane@example.co.uk", None),
    ("it's Jane.Smith@sunrise-care.org.uk, thanks", "Jane.Smith@sunrise-care.org.uk", None),
    ("jane at example", None, "it needs an @"),
    ("jane @ example.co.uk", None, "can't contain spaces"),
    ("jane@example", None, "needs a dot"),
    ("jane@@example.co.uk", None, "Could you check it?"),
    ("a@b.co and c@d.co", None, "Could you check it?"),
])
def test_email_is_checked_with_a_reason(typed, email, reason):
    from actions.lead_messages import say

    found, problem = email_in(typed)
    assert found == email
    assert (problem is None) == (reason is None)
    if reason:
        assert reason in say(problem)


def test_an_invalid_email_is_asked_again_with_the_reason(tracker_named, dispatcher, domain):
    events = asyncio.run(ValidateLeadForm().run(dispatcher, tracker_named("lead_asking_email"), domain))
    assert SlotSet("lead_email", None) in events
    assert events[-1] == SlotSet("requested_slot", "lead_email")
    assert texts(dispatcher) == [
        "Sorry, that doesn't look like an email address: it needs an @, like name@example.co.uk.",
        "What email address should we use to contact you?",
    ]


def test_a_valid_email_is_kept_and_the_optional_phone_asked(tracker_named, dispatcher, domain):
    tracker = tracker_named("lead_asking_email", text="jane@example.co.uk")
    tracker.slots["lead_email"] = tracker.events[-1]["value"] = "jane@example.co.uk"
    events = asyncio.run(ValidateLeadForm().run(dispatcher, tracker, domain))
    assert SlotSet("lead_email", "jane@example.co.uk") in events
    assert events[-1] == SlotSet("requested_slot", "lead_phone")
    assert "optional" in texts(dispatcher)[-1]


@pytest.mark.parametrize("typed, intent, kept", [
    ("skip", "dont_know", NO_PHONE), ("no", "deny", NO_PHONE), ("no phone", "inform", NO_PHONE),
    ("07700 900123", "inform", "07700 900123"), ("call me on +44 (0)20 7946 0000", "inform", "+44 (0)20 7946 0000"),
    ("12345", "inform", None),
])
def test_phone_is_optional_and_checked(typed, intent, kept, tracker_named, dispatcher, domain):
    tracker = tracker_named("lead_asking_email", text=typed)
    tracker.latest_message["intent"] = {"name": intent}
    assert ValidateLeadForm().validate_lead_phone(typed, dispatcher, tracker, domain) == {"lead_phone": kept}
    assert bool(dispatcher.messages) == (kept is None)


def test_the_area_is_skipped_when_the_council_is_known(tracker_named, dispatcher, domain):
    form = ValidateLeadForm()
    slots = domain["forms"]["lead_form"]["required_slots"]
    known = asyncio.run(form.required_slots(slots, dispatcher, tracker_named("lead_organisation_sounds_like_a_fact"), domain))
    unknown = asyncio.run(form.required_slots(slots, dispatcher, tracker_named("lead_asking_email"), domain))
    assert "lead_area" not in known and "lead_area" in unknown


def test_a_fact_heard_in_the_organisation_name_is_not_taken_as_a_fact(tracker_named, dispatcher, domain):
    events = asyncio.run(ValidateLeadForm().run(dispatcher, tracker_named("lead_organisation_sounds_like_a_fact"), domain))
    assert events[0] == SlotSet("service", "home_care")  # as it was before "Sunrise Care Homes"
    assert SlotSet("lead_organisation", "Sunrise Care Homes") in events
    assert events[-1] == SlotSet("requested_slot", "lead_email")  # the area is known: Kent


def test_the_consent_request_on_rest_is_text_with_the_privacy_notice_and_buttons(tracker_named, dispatcher, domain):
    ActionRequestConsent().run(dispatcher, tracker_named("lead_consent_requested"), domain)
    [message] = dispatcher.messages
    text = message["text"]
    for said in ("name, organisation, email", "so that one of our bid writers can contact you",
                 f"{CONSULTANCY.lead_retention_days} days", f"Only the {CONSULTANCY.name} team",
                 CONSULTANCY.privacy_url, "Nothing is stored unless you agree"):
        assert said in text
    assert [b["payload"] for b in message["buttons"]] == ['/consent{"consent": "agreed"}', '/consent{"consent": "declined"}']


def test_the_consent_request_on_the_widget_is_its_consent_payload(tracker_named, dispatcher, domain):
    tracker = tracker_named("lead_consent_requested")
    tracker.events.append({"event": "user", "text": "/request_assessment", "input_channel": "socketio",
                           "parse_data": {"intent": {"name": "request_assessment"}, "entities": []}})
    ActionRequestConsent().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    consent = message["custom"]["consent"]
    assert message.get("text") is None
    assert consent["privacy_url"] == CONSULTANCY.privacy_url
    assert consent["agree"] == '/consent{"consent": "agreed"}' and consent["decline"] == '/consent{"consent": "declined"}'
    assert f"{CONSULTANCY.lead_retention_days} days" in consent["text"]


def test_consent_agreed_stores_the_lead_with_the_wording_shown(lead_db, tracker_named, dispatcher, domain):
    events = run(ActionRecordConsent(), dispatcher, tracker_named("lead_consent_requested"), domain)
    assert events == []
    [lead] = leads.configured().store.all_leads()
    assert (lead.sender_id, lead.name, lead.organisation, lead.email, lead.phone) == (
        "lead-visitor", "Jane Smith", "Sunrise Home Care", "jane@example.co.uk", None)
    assert lead.council_or_area == "Kent County Council"
    assert lead.facts["dps"] == "open" and lead.facts["council"] == "Kent County Council"
    assert lead.route == "dps" and lead.recommendation_title
    assert lead.consent_text == "Before I pass this on: the wording as it was shown."
    assert lead.consent_at == datetime.fromtimestamp(1795000260.5, tz=timezone.utc)
    [thanks] = texts(dispatcher)
    assert thanks.startswith("Thank you, Jane Smith.") and "jane@example.co.uk" in thanks


@pytest.mark.parametrize("intent, entities", [
    ("consent", [{"entity": "consent", "value": "declined"}]),
    ("deny", []),
    ("stop", []),
    ("consent", []),  # "I agree" typed but no value recognised: not consent
])
def test_anything_but_agreement_stores_nothing_and_says_so(intent, entities, lead_db, tracker_named, dispatcher, domain):
    tracker = tracker_named("lead_consent_requested")
    tracker.latest_message.update(intent={"name": intent}, entities=entities)
    events = run(ActionRecordConsent(), dispatcher, tracker, domain)
    assert leads.configured().store.all_leads() == []
    assert SlotSet("lead_email", None) in events and SlotSet("lead_name", None) in events
    assert "I haven't stored your details" in texts(dispatcher)[0]


def test_no_consent_is_stored_without_the_request_in_the_conversation(lead_db, tracker_named, dispatcher, domain):
    tracker = tracker_named("lead_consent_requested")
    tracker.events = [event for event in tracker.events if event.get("event") != "action"]
    run(ActionRecordConsent(), dispatcher, tracker, domain)
    assert leads.configured().store.all_leads() == []


def test_the_questions_resume_only_if_they_had_begun(tracker_named, dispatcher, domain):
    assert ActionResumeQuestions().run(dispatcher, tracker_named("registered_only"), domain) == [FollowupAction("route_form")]
    assert ActionResumeQuestions().run(dispatcher, tracker_named("nothing_known"), domain) == []
    assert ActionResumeQuestions().run(dispatcher, tracker_named("new_provider_dps_open"), domain) == []


def _stored_conversation(url: str, sender_id: str) -> None:
    """A conversation in Rasa's own SQL tracker store, on the leads database."""
    store = SQLTrackerStore(Domain.empty(), host=url)
    tracker = DialogueStateTracker.from_events(sender_id, [
        UserUttered("we're a home care agency in Kent"), CoreSlotSet("service", "home_care"),
    ])
    asyncio.run(store.save(tracker))
    store.engine.dispose()


def test_delete_my_data_removes_the_lead_and_the_conversation_and_resets_the_facts(
        lead_db, tracker_named, dispatcher, domain):
    run(ActionRecordConsent(), dispatcher, tracker_named("lead_consent_requested"), domain)
    _stored_conversation(lead_db, "lead-visitor")
    _stored_conversation(lead_db, "someone-else")
    dispatcher.messages.clear()

    events = run(ActionDeleteVisitorData(), dispatcher, tracker_named("lead_consent_requested"), domain)

    assert leads.configured().store.all_leads() == []
    engine = sa.create_engine(lead_db)
    with engine.connect() as connection:
        left = dict(connection.execute(sa.text("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")).all())
    engine.dispose()
    assert "lead-visitor" not in left and left["someone-else"] > 0
    for slot in ("service", "dps", "council", "route", "lead_email", "lead_name"):
        assert SlotSet(slot, None) in events
    assert not any(event.get("name", "").startswith("consultancy_") for event in events)
    [reply] = texts(dispatcher)
    assert reply.startswith("Done: I've deleted the contact details") and "records of this conversation" in reply
    assert f"after {CONSULTANCY.conversation_retention_days} days" in reply


def test_delete_my_data_with_no_lead_says_so(lead_db, tracker_named, dispatcher, domain):
    run(ActionDeleteVisitorData(), dispatcher, tracker_named("registered_only"), domain)
    assert texts(dispatcher)[0].startswith("Done: you hadn't given us any contact details")
