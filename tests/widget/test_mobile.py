"""A 375 px phone: full-screen chat, no sideways scrolling, input visible above the keyboard."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.widget.a11y import sideways_overflow, small_targets
from tests.widget.chat import ROOT

WIDTH, HEIGHT = 375, 667


def test_phone_full_screen_chat_to_a_recommendation(phone_chat, artifacts_dir):
    chat = phone_chat
    chat.goto()
    assert sideways_overflow(chat.page, WIDTH) == []
    box = chat.launcher.bounding_box()
    assert box["x"] + box["width"] <= WIDTH and box["height"] >= 44
    chat.launcher.tap()
    expect(chat.panel).to_be_visible()

    panel = chat.panel.bounding_box()
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, WIDTH, HEIGHT), panel
    expect(chat.launcher).to_be_hidden()  # the full-screen chat covers it; Close chat is in the header
    expect(chat.talk_to_person).to_be_in_viewport()
    chat.wait_for_question_or_card()
    assert sideways_overflow(chat.page, WIDTH) == []

    while not chat.card.count():
        previous = chat.question_id()
        chat.reply_buttons.first.tap()
        chat.wait_for_question_or_card(previous)
    assert sideways_overflow(chat.page, WIDTH) == []
    assert small_targets(chat.page) == []
    chat.card.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    chat.screenshot(artifacts_dir / "widget-phone.png")
    # Header and input stay put: scrolling the card into view scrolls the transcript, not the panel.
    assert chat.page.evaluate(f"{ROOT}.querySelector('.ra-panel').scrollTop") == 0
    expect(chat.button("Close chat")).to_be_in_viewport()
    expect(chat.input).to_be_in_viewport()

    # Full screen the chat is modal: Tab cycles inside it, never onto the hidden page behind.
    chat.input.focus()
    for _ in range(15):
        chat.page.keyboard.press("Tab")
        assert chat.page.evaluate("() => document.activeElement.id") == "route-advisor-widget", chat.focused()
    expect(chat.panel).to_have_attribute("aria-modal", "true")

    # An on-screen keyboard shrinks the visible viewport: the input must stay in view above it.
    chat.input.tap()
    chat.page.set_viewport_size({"width": WIDTH, "height": 360})
    chat.page.wait_for_timeout(300)
    box = chat.input.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 360, box
    expect(chat.input).to_be_in_viewport()
    chat.screenshot(artifacts_dir / "widget-phone-keyboard.png")

    chat.button("Close chat").tap()
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_visible()
