"""The widget's channel: socket.io with session persistence, custom payloads delivered."""
import uuid

from tests.support.visitor import converse


def test_recommendation_payload_reaches_the_widget_with_a_headline(assistant):
    session = uuid.uuid4().hex
    messages = converse(assistant.rasa_url, session,
                        "new dom care agency, CQC registered last month, Kent's DPS is open, the framework's closed "
                        "and we could take a few more packages")
    cards = [m["recommendation"] for m in messages if "recommendation" in m]
    assert len(cards) == 1 and cards[0]["route"] == "dps" and cards[0]["route_name"] == "DPS / approved provider list"
    assert [m["text"] for m in messages if "text" in m] == [
        "My recommendation: Join the DPS (a list of approved providers that stays open to join) or approved provider "
        "list at Kent County Council."]


def test_conversation_continues_across_connections_with_the_same_session(assistant):
    session = uuid.uuid4().hex
    first = converse(assistant.rasa_url, session, "hello")
    assert any(m.get("asking") == "service" for m in first)
    assert any(m.get("quick_replies") for m in first), "the question has quick-reply buttons"
    second = converse(assistant.rasa_url, session, '/inform{"service": "home_care"}')
    assert any(m.get("asking") == "nation" and m.get("progress") == {"step": 2, "of": 8} for m in second)
