"""The server goes down mid-conversation and comes back: reconnecting state, nothing lost."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.widget.a11y import axe_violations


def test_server_down_then_back_up(chat, assistant, axe_source, artifacts_dir):
    chat.goto().open()
    chat.wait_for_question_or_card()
    chat.answer()
    before = chat.messages()

    assistant.stop_rasa()
    try:
        expect(chat.banner).to_be_visible(timeout=20_000)
        expect(chat.banner).to_contain_text("messages are kept")
        assert axe_violations(chat.page, axe_source, artifacts_dir / "axe-reconnecting.json") == []

        # Typing while offline: the message shows at once, marked as not sent yet, and is kept.
        chat.say("hello again")
        pending = chat.log.locator(".ra-msg--pending")
        expect(pending).to_contain_text("hello again")
        expect(pending).to_contain_text("Not sent yet")
        assert [i["status"] for i in chat.stored()["items"] if i.get("text") == "hello again"] == ["pending"]
        assert chat.messages()[: len(before)] == before

        # Even a reload while offline keeps it.
        chat.page.reload()
        expect(chat.panel).to_be_visible()
        expect(chat.log.locator(".ra-msg--pending")).to_contain_text("hello again")
        chat.screenshot(artifacts_dir / "widget-reconnecting.png")
    finally:
        assistant.start_rasa()

    # Back up: the banner goes, the queued message is delivered and answered.
    expect(chat.banner).to_be_hidden(timeout=60_000)
    expect(chat.log.locator(".ra-msg--pending")).to_have_count(0, timeout=30_000)
    chat.wait_until_idle()
    messages = chat.messages()
    sent = messages.index(("user", "hello again"))
    assert any(who in ("bot", "card") for who, _ in messages[sent + 1:]), messages


# Every WebSocket the page opens goes to a closed port, as behind a proxy that blocks them.
BLOCK_WEBSOCKETS = """
const RealWebSocket = window.WebSocket;
window.WebSocket = class extends RealWebSocket { constructor(url, protocols) { super('ws://127.0.0.1:9/', protocols); } };
"""


def test_falls_back_to_long_polling_when_websockets_are_blocked(chat):
    chat.page.context.add_init_script(BLOCK_WEBSOCKETS)
    polls = []
    chat.page.on("response", lambda r: polls.append(r.status) if "transport=polling" in r.url else None)
    chat.goto().open()
    assert chat.wait_for_question_or_card() == "question"
    chat.answer()
    assert polls and all(status == 200 for status in polls), polls
