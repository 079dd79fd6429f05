"""A tracker store seeded with known conversations, written by Rasa's own SQLTrackerStore.

Twelve conversations over three days (UTC), scripted the way the assistant's form, rules and
fallback really log them (see a stored conversation in .rasa/conversations.db), plus a session
with no message, a second session of one visitor with slots carried over, and three leads.
EXPECTED holds every number the report must show for them, worked out by hand from the scripts.
"""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from insight import metrics, store
from leads.db import migrate
from leads.schema import leads as leads_table
from routes.tree import load_tree
from tests.support.servers import REPO_ROOT

DOMAIN = Domain.load(str(REPO_ROOT / "domain.yml"))
FORM = "route_form"
DAY_1, DAY_2, DAY_3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)
SCRIPT_MESSAGE = "<script>alert(\"x\")</script> & more"
NOT_UNDERSTOOD = "we're sort of mid-sized"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


class Visit:
    """One sender's events, each a few seconds after the last, as the assistant logs them."""

    def __init__(self, sender_id: str) -> None:
        self.sender_id = sender_id
        self.tracker = DialogueStateTracker(sender_id, DOMAIN.slots)
        self.clock = 0.0

    def _add(self, *events) -> Visit:
        for event in events:
            self.clock += 2.0
            event.timestamp = self.clock
            self.tracker.update(event)
        return self

    def session(self, when: datetime, carried: dict | None = None) -> Visit:
        """action_session_start's events, with the slots Rasa carries over into the new session."""
        self.clock = when.timestamp()
        carried_slots = [SlotSet(name, value) for name, value in (carried or {}).items()]
        return self._add(ActionExecuted("action_session_start"), SessionStarted(), *carried_slots,
                         ActionExecuted("action_listen"))

    def says(self, text: str, intent: str = "inform", **slots) -> Visit:
        return self._add(UserUttered(text, {"name": intent, "confidence": 0.9}),
                         *[SlotSet(name, value) for name, value in slots.items()])

    def asks(self, fact: str) -> Visit:
        """The form runs and asks for `fact` (the form logs requested_slot, not action_ask_<fact>)."""
        return self._add(ActionExecuted(FORM), ActiveLoop(FORM), SlotSet("requested_slot", fact),
                         BotUttered(f"question about {fact}"), ActionExecuted("action_listen"))

    def greeted(self) -> Visit:
        return self.says("/greet", "greet")._add(ActionExecuted("utter_greet"), BotUttered("Hello!"))

    def answer(self, text: str, fact: str, value: str, next_fact: str) -> Visit:
        return self.says(text, **{fact: value}).asks(next_fact)

    def replies(self, action: str) -> Visit:
        return self._add(ActionExecuted(action), BotUttered(f"reply from {action}"))

    def listens(self) -> Visit:
        return self._add(ActionExecuted("action_listen"))

    def falls_back(self) -> Visit:
        return self._add(ActionExecuted("action_fallback"), BotUttered("Sorry, I didn't quite follow that."),
                         UserUtteranceReverted(), ActionExecuted("action_listen"))

    def recommends(self, route: str) -> Visit:
        return self._add(ActionExecuted(FORM), SlotSet("requested_slot", None), ActiveLoop(None),
                         ActionExecuted("action_recommend"), BotUttered(f"My recommendation: {route}"),
                         SlotSet("route", route), ActionExecuted("action_listen"))

    def full_path(self, capacity_answer: str = "plenty") -> Visit:
        """From the greeting to the last answer: eight messages, the last one completing the facts."""
        return (self.greeted().asks("service")
                .answer("home care", "service", "home_care", "nation")
                .answer("England", "nation", "england", "registration")
                .answer("registered", "registration", "registered", "stage")
                .answer("new", "stage", "new", "dps")
                .answer("closed", "dps", "closed", "framework")
                .answer("closed", "framework", "closed", "capacity")
                .says(capacity_answer, capacity="available"))


def visits() -> list[Visit]:
    v01 = Visit("v01").session(at(DAY_1, 9)).full_path().recommends("spot")  # 8 messages
    v02 = (Visit("v02").session(at(DAY_1, 10))
           .says("new dom care agency, CQC registered, Kent's DPS is open, framework closed, a few packages",
                 service="home_care", registration="registered", dps="open", framework="closed",
                 capacity="limited")
           .recommends("dps"))  # 1 message
    v03 = (Visit("v03").session(at(DAY_1, 11)).greeted().asks("service")
           .answer("supported living", "service", "supported_living", "nation")
           .answer("Wales", "nation", "wales", "registration"))  # stops at registration
    v04 = (Visit("v04").session(at(DAY_1, 12)).greeted().asks("service")
           .says("asdfgh", "nlu_fallback").falls_back())  # stops at service, a fallback
    v05 = (Visit("v05").session(at(DAY_2, 9)).greeted().asks("service")
           .answer("home care", "service", "home_care", "nation")
           .answer("England", "nation", "england", "registration")
           .answer("registered", "registration", "registered", "stage")
           .answer(NOT_UNDERSTOOD, "stage", None, "stage")  # the same question again
           .answer("new", "stage", "new", "dps")
           .answer("open", "dps", "open", "framework")
           .answer("closed", "framework", "closed", "capacity")
           .says("a few", capacity="limited").recommends("dps"))  # 9 messages
    v06 = (Visit("v06").session(at(DAY_2, 10)).greeted().asks("service")
           .answer("care home", "service", "care_home", "nation")
           .answer("Scotland", "nation", "scotland", "registration")
           .says("not yet", registration="unregistered").recommends("register_first"))  # 4 messages
    v07 = (Visit("v07").session(at(DAY_2, 11)).greeted().asks("service")
           .answer("home care", "service", "home_care", "nation")
           .answer("England", "nation", "england", "registration")
           .answer("registered", "registration", "registered", "stage")
           .says("why?", "ask_more").replies("action_explain_recommendation").asks("stage"))  # not a misunderstanding
    v08 = (Visit("v08").session(at(DAY_2, 12))
           .says("what's a DPS?", "ask_dps").replies("action_explain_route").listens()
           .says(SCRIPT_MESSAGE, "out_of_scope").falls_back())  # no question asked; a fallback by action
    v09 = (Visit("v09").session(at(DAY_2, 23, 50)).greeted().asks("service")  # runs past midnight
           .answer("home care", "service", "home_care", "nation")
           .says("asdfgh", "nlu_fallback").falls_back())
    v09.clock = at(DAY_3, 0, 5).timestamp()
    (v09.answer("England", "nation", "england", "registration")
        .answer("registered", "registration", "registered", "stage")
        .answer("new", "stage", "new", "dps")
        .answer("no", "dps", "closed", "framework")
        .answer("yes, opening", "framework", "opening", "capacity")
        .says("plenty", capacity="available").recommends("framework"))  # 9 messages
    # The same visitor the next afternoon: a new session, the route carried over, not recommended again.
    (v09.session(at(DAY_3, 14), carried={"route": "framework", "service": "home_care"})
        .says("hello again", "greet").replies("utter_greet"))
    v11 = (Visit("v11").session(at(DAY_3, 9)).greeted().asks("service")
           .answer("home care", "service", "home_care", "nation")
           .answer("England", "nation", "england", "registration")
           .answer("registered", "registration", "registered", "stage")
           .answer("new", "stage", "new", "dps")
           .says("asdfgh", "nlu_fallback").falls_back())  # stops at dps, a fallback
    v12 = (Visit("v12").session(at(DAY_3, 10)).full_path().recommends("spot")  # 8 messages
           .says("actually we're not registered yet", registration="unregistered").recommends("register_first"))
    silent = Visit("v13").session(at(DAY_3, 11))  # the widget connected; nothing was said
    return [v01, v02, v03, v04, v05, v06, v07, v08, v09, v11, v12, silent]


LEADS = [at(DAY_1, 15), at(DAY_2, 23, 30), at(DAY_3, 8)]

# Everything the report must find, whole store and one day.
EXPECTED = {
    "all": {
        "conversations": 12,
        "per_day": {DAY_1: 4, DAY_2: 5, DAY_3: 3},
        "recommended": 6,
        "drop_off": {"service": 1, "nation": 0, "registration": 1, "stage": 1, "on_list": 0, "dps": 1,
                     "framework": 0, "capacity": 0},
        "left_before_any_question": 2,  # v08 (a question about DPSs), v09's second session
        "routes": {"dps": 2, "register_first": 2, "framework": 1, "spot": 1},
        "median_turns": 8.0,  # 1, 4, 8, 8, 9, 9
        "fallback_messages": [("asdfgh", 3), (SCRIPT_MESSAGE, 1)],
        "reasked_messages": [(NOT_UNDERSTOOD, "stage", 1)],
        "leads": 3,
    },
    "day 2": {
        "conversations": 5,  # v05-v09; v09's first session ends on day 3 but started on day 2
        "per_day": {DAY_2: 5},
        "recommended": 3,
        "drop_off": {"service": 0, "nation": 0, "registration": 0, "stage": 1, "on_list": 0, "dps": 0,
                     "framework": 0, "capacity": 0},
        "left_before_any_question": 1,
        "routes": {"dps": 1, "framework": 1, "register_first": 1},
        "median_turns": 9.0,  # 4, 9, 9
        "fallback_messages": [(SCRIPT_MESSAGE, 1), ("asdfgh", 1)],  # a tie: by text
        "reasked_messages": [(NOT_UNDERSTOOD, "stage", 1)],
        "leads": 1,
    },
}


def write_conversations(store: SQLTrackerStore) -> None:
    async def save_all() -> None:
        for visit in visits():
            await store.save(visit.tracker)

    asyncio.run(save_all())


def write_leads(url: str) -> None:
    """Three leads, in the table the lead capture's migrations create (leads/db.py)."""
    engine = sa.create_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(leads_table.insert(), [
            {"created_at": moment, "sender_id": f"lead-{n}", "name": "A. Manager", "organisation": "Care Co",
             "email": f"lead{n}@example.org", "council_or_area": "Kent", "facts": {"service": "home_care"},
             "route": "dps", "recommendation_title": "Join the DPS", "consent_text": "I agree",
             "consent_at": moment}
            for n, moment in enumerate(LEADS)])
    engine.dispose()


def seed_sqlite(path) -> str:
    """The seeded store in a SQLite file; returns its URL."""
    store = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    write_conversations(store)
    store.engine.dispose()
    url = f"sqlite:///{path}"
    write_leads(url)
    return url


def seed_postgres(url: str) -> None:
    parsed = sa.engine.make_url(url)
    store = SQLTrackerStore(domain=DOMAIN, dialect="postgresql", host=parsed.host, port=parsed.port,
                            db=parsed.database, username=parsed.username, password=parsed.password)
    write_conversations(store)
    store.engine.dispose()
    write_leads(url)


def read(url: str, first_day: date | None = None, last_day: date | None = None):
    """The report's numbers and leads count for a store, as `python -m insight.report` gets them."""
    with store.reading(store.read_only_engine(url)) as connection:
        events = store.load_events(connection, first_day, last_day)
        leads = store.count_leads(connection, first_day, last_day)
    found = metrics.within(metrics.conversations(events), first_day, last_day)
    return metrics.summarise(found, load_tree().asked_facts, first_day, last_day), leads


def assert_matches(insight: metrics.Insight, leads: int | None, expected: dict) -> None:
    """Every number, and the order of every ordered one (questions, routes, messages)."""
    assert insight.conversations == expected["conversations"]
    assert list(insight.per_day.items()) == list(expected["per_day"].items())
    assert insight.recommended == expected["recommended"]
    assert insight.share_recommended == expected["recommended"] / expected["conversations"]
    assert list(insight.drop_off.items()) == list(expected["drop_off"].items())
    assert insight.left_before_any_question == expected["left_before_any_question"]
    assert list(insight.routes.items()) == list(expected["routes"].items())
    assert insight.median_turns == expected["median_turns"]
    assert insight.fallback_messages == expected["fallback_messages"]
    assert insight.reasked_messages == expected["reasked_messages"]
    assert leads == expected["leads"]
