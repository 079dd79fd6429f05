"""Quick replies belong to the latest question only; the card names routes as the payload does.

The assistant asks one question a turn, so turns that mix a question with a newer message (the
situation a visitor met at 1280 px: the registration buttons still offered under the card) come
from the scripted socket.io bot.
"""
from __future__ import annotations

from playwright.sync_api import expect

from demo.serve import running_demo
from tests.support.fake_bot import scripted_bot

REGISTRATION = {
    "text": "Is your service registered with the regulator?",
    "quick_replies": [
        {"content_type": "text", "title": "Yes, registered", "payload": '/inform{"registration": "registered"}'},
        {"content_type": "text", "title": "Not yet", "payload": '/inform{"registration": "not_registered"}'},
    ],
}
NATION = {"text": "Which nation do you work in?",
          "quick_replies": [{"title": "Wales", "payload": '/inform{"nation": "wales"}'}]}
COUNCIL = {"text": "Which council do you want to work with?",
           "quick_replies": [{"title": "Kent", "payload": '/inform{"council": "Kent"}'},
                             {"title": "Not sure yet", "payload": '/inform{"council": "unknown"}'}]}
# A route and names the widget has never heard of: everything it shows must come from here.
CARD = {"recommendation": {
    "route": "block_contract", "route_name": "Block contract with the council",
    "also": ["spot"], "also_names": ["Spot purchasing by the week"], "facts": {},
    "title": "Talk to the commissioners about a block of hours",
    "why": ["The council buys hours in blocks for rural rounds."],
    "next_steps": ["Ask the commissioners when the block is re-let."], "caveats": []}}


def mixed_turns(text):
    """The start: a question, then the card in the same turn. "two questions": two questions in one turn."""
    if text == "/greet":
        return [REGISTRATION, {"text": "Here is my recommendation."}, CARD]
    if text == "two questions":
        return [NATION, COUNCIL]
    return [{"text": "Noted."}]


def test_quick_replies_are_withdrawn_by_a_newer_bot_message(new_chat):
    with scripted_bot(mixed_turns) as bot, running_demo(server_url=bot.url) as demo:
        chat = new_chat(demo.url)
        chat.goto().open()
        expect(chat.card).to_be_visible()
        chat.wait_until_idle()
        # The registration question is in the transcript, its buttons are not: neither shown nor
        # in the accessibility tree.
        expect(chat.log.get_by_text(REGISTRATION["text"])).to_be_visible()
        expect(chat.page.get_by_role("group", name="Suggested replies")).to_have_count(0)
        expect(chat.panel.get_by_role("button", name="Yes, registered")).to_have_count(0)
        expect(chat.panel.get_by_role("button", name="Not yet")).to_have_count(0)
        assert chat.question_id() == ""

        # Two questions in one turn: only the latest one's answers are offered.
        chat.say("two questions")
        expect(chat.log.get_by_text(COUNCIL["text"])).to_be_visible()
        chat.wait_until_idle()
        assert chat.reply_titles() == ["Kent", "Not sure yet"]
        expect(chat.panel.get_by_role("button", name="Wales")).to_have_count(0)

        # Answering takes them away too; the answer goes as the button's payload.
        chat.reply_buttons.filter(has_text="Kent").click()
        expect(chat.reply_buttons).to_have_count(0)
        chat.wait_until_idle()
        assert bot.received[-1][1] == '/inform{"council": "Kent"}'
        assert chat.user_texts() == ["two questions", "Kent"]
        chat.assert_no_page_errors()


def test_the_card_shows_the_route_names_the_payload_gives(new_chat):
    with scripted_bot(mixed_turns) as bot, running_demo(server_url=bot.url) as demo:
        chat = new_chat(demo.url)
        chat.goto().open()
        card = chat.card
        expect(card.get_by_role("heading", level=3)).to_have_text("Block contract with the council")
        expect(card).to_contain_text("Talk to the commissioners about a block of hours")
        expect(card).to_contain_text("Alongside it: Spot purchasing by the week")
        expect(card).not_to_contain_text("block_contract")
        assert bot.received[0][1] == "/greet"
        chat.assert_no_page_errors()
