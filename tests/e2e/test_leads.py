"""The lead flow over REST against the real Rasa and action servers, with the leads in the tracker
store's own database (SQLite here, PostgreSQL in the last test): what is stored, and only with consent."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import leads
from tests.support.servers import running_assistant
from tests.support.services import running_postgres
from tests.support.visitor import Visitor, question, said

CONSULTANCY = leads.load_consultancy()
ONE_MESSAGE = ("new dom care agency, CQC registered last month, Kent's DPS is open, the framework's closed "
               "and we could take a few more packages")
AGREE, DECLINE = '/consent{"consent": "agreed"}', '/consent{"consent": "declined"}'


def buttons(reply):
    return [b["payload"] for m in reply for b in m.get("buttons", [])]


class Database:
    """The leads (through the leads package's store) and Rasa's events, in the database the servers share."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        self.store = leads.LeadStore(url)

    def leads_of(self, sender: str):
        return [lead for lead in self.store.all_leads() if lead.sender_id == sender]

    def dispose(self) -> None:
        self.engine.dispose()
        self.store.dispose()

    def events_of(self, sender: str):
        with self.engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}).scalars().all()


@pytest.fixture(scope="module")
def database(assistant):
    db = Database(f"sqlite:///{assistant.log_dir / 'conversations.db'}")
    yield db
    db.dispose()


@pytest.fixture
def visitor(assistant):
    return Visitor(assistant)


def give_details(visitor, *answers):
    """Answers each question of the lead form; returns the last reply."""
    reply = None
    for answer in answers:
        reply = visitor.say(answer)
    return reply


def book_after_recommendation(visitor):
    """A recommendation, then the whole lead form up to the consent request; returns that request."""
    reply = visitor.say(ONE_MESSAGE)
    offer = reply[-1]
    assert offer["text"].startswith("Would you like a free, honest assessment"), said(reply)
    assert buttons([offer]) == ["/request_assessment", "/deny"]
    assert "what's your name?" in said(visitor.say("/request_assessment"))
    assert "organisation" in said(visitor.say("Jane Smith"))
    assert "email" in said(visitor.say("Sunrise Home Care"))
    reply = visitor.say("jane at example")  # no @: the reason, then the same question
    assert said(reply) == ("Sorry, that doesn't look like an email address: it needs an @, like name@example.co.uk.\n"
                           "What email address should we use to contact you?")
    assert "phone number" in said(visitor.say("jane.smith@sunrise-care.example.co.uk"))
    consent = visitor.say("07700 900123")  # Kent is known: the area is not asked
    assert buttons(consent) == [AGREE, DECLINE], said(consent)
    return consent


def test_the_whole_flow_stores_the_consented_lead_with_the_facts(visitor, database):
    consent = book_after_recommendation(visitor)
    shown = said(consent)
    for words in ("name, organisation, email", f"{CONSULTANCY.lead_retention_days} days",
                  f"Only the {CONSULTANCY.name} team", CONSULTANCY.privacy_url):
        assert words in shown
    assert database.leads_of(visitor.sender) == []  # nothing before consent
    before = datetime.now(timezone.utc)
    thanks = said(visitor.say(AGREE))
    assert thanks.startswith("Thank you, Jane Smith.") and CONSULTANCY.phone in thanks
    [lead] = database.leads_of(visitor.sender)
    assert (lead.name, lead.organisation, lead.email, lead.phone) == (
        "Jane Smith", "Sunrise Home Care", "jane.smith@sunrise-care.example.co.uk", "07700 900123")
    assert lead.council_or_area == "Kent County Council" and lead.route == "dps"
    assert lead.recommendation_title.startswith("Join the DPS")
    assert lead.facts["dps"] == "open" and lead.facts["stage"] == "new"
    assert lead.consent_text == shown
    assert before - timedelta(seconds=5) <= lead.consent_at <= datetime.now(timezone.utc)


def test_refused_consent_stores_nothing_and_says_so(visitor, database):
    reply = visitor.say("can I speak to someone")
    for detail in (CONSULTANCY.phone, CONSULTANCY.email, CONSULTANCY.opening_hours, CONSULTANCY.contact_url):
        assert detail in said(reply)
    assert "what's your name?" in said(visitor.say("yes"))
    reply = give_details(visitor, "Sam Patel", "Patel Care Ltd", "sam@patelcare.example.com", "skip")
    assert said(reply) == "Which council or area do you provide care in?"  # no council known yet
    assert buttons(visitor.say("Leeds")) == [AGREE, DECLINE]
    reply = said(visitor.say(DECLINE))
    assert "I haven't stored your details" in reply and CONSULTANCY.phone in reply
    assert database.leads_of(visitor.sender) == []


def test_talk_to_a_person_mid_questions_then_the_questions_resume(visitor, database):
    visitor.say("hi")
    assert question(visitor.say('/inform{"service": "home_care"}'))[0] == "nation"
    reply = visitor.say("talk to a human")
    assert CONSULTANCY.phone in said(reply) and buttons(reply) == ["/request_assessment", "/deny"]
    reply = visitor.say("/deny")
    assert said(reply).startswith("No problem.")
    assert question(reply)[0] == "nation", said(reply)
    assert question(visitor.say("Wales"))[0] == "registration"  # a typed answer: the form is active again
    assert database.leads_of(visitor.sender) == []


def test_no_thanks_mid_form_ends_it_kindly_and_the_questions_resume(visitor, database):
    visitor.say("hi")
    visitor.say('/inform{"service": "home_care"}')
    assert "what's your name?" in said(visitor.say("/request_assessment"))
    assert "organisation" in said(visitor.say("Priya"))
    reply = visitor.say("no thanks")
    assert "kept none of those details" in said(reply)
    assert question(reply)[0] == "nation", said(reply)
    assert database.leads_of(visitor.sender) == []
    assert not any('"lead_organisation"' in event and "no thanks" in event for event in database.events_of(visitor.sender))


def test_delete_my_data_removes_the_lead_and_the_conversation(visitor, database):
    book_after_recommendation(visitor)
    visitor.say(AGREE)
    assert len(database.leads_of(visitor.sender)) == 1
    reply = visitor.say("delete my data")
    assert buttons(reply) == ["/affirm", "/deny"]
    reply = said(visitor.say("/affirm"))
    assert reply.startswith("Done: I've deleted the contact details")
    assert f"after {CONSULTANCY.conversation_retention_days} days" in reply
    assert database.leads_of(visitor.sender) == []
    left = database.events_of(visitor.sender)  # only this last exchange, as the reply says
    assert left and not any("jane" in event.lower() or "Sunrise" in event for event in left)
    # the facts are forgotten: the questions start from the beginning
    assert question(visitor.say("hi"))[0] == "service"


def test_the_flow_and_deletion_on_postgresql(tmp_path):
    with running_postgres() as pg, running_assistant(log_dir=tmp_path, env={"TRACKER_STORE_URL": pg.url}) as bot:
        visitor = Visitor(bot)
        database = Database(pg.url)
        book_after_recommendation(visitor)
        visitor.say(AGREE)
        [lead] = database.leads_of(visitor.sender)
        assert lead.email == "jane.smith@sunrise-care.example.co.uk" and lead.facts["council"] == "Kent County Council"
        assert len(database.events_of(visitor.sender)) > 20
        visitor.say("forget me")
        assert said(visitor.say("yes")).startswith("Done: I've deleted the contact details")
        assert database.leads_of(visitor.sender) == []
        assert not any("jane" in event.lower() for event in database.events_of(visitor.sender))
        database.dispose()
