"""The lead flow in the widget: the card's free assessment offer, "talk to a person" at any time,
and the consent request, readable in full before the visitor agrees.

What the widget sends is checked on the real assistant's socket (the commands are the bot side's
contract); the consent request is a payload the scripted socket.io bot sends, so its rendering is
tested here whatever the assistant's wording.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from demo.serve import running_demo
from tests.support.fake_bot import scripted_bot
from tests.widget.a11y import axe_violations, sideways_overflow, small_targets
from tests.widget.chat import PHONE

AGREE = '/consent{"consent": "agreed"}'
DECLINE = '/consent{"consent": "declined"}'
CONSENT_TEXT = (
    "We will keep your name, organisation, email and phone number, with what you told me in this chat, "
    "so that a consultant can contact you about your free assessment. We keep them for 12 months and then "
    "delete them. Only our consultants see them; we never share or sell them.\n"
    'You can ask for them to be deleted at any time by saying "delete my data". <b>Nothing</b> is stored unless you agree.'
)
CONSENT = {"consent": {"text": CONSENT_TEXT, "privacy_url": "https://example.org/privacy",
                       "agree": AGREE, "decline": DECLINE}}
CARD = {"recommendation": {
    "route": "dps", "route_name": "DPS / approved provider list", "also": [], "also_names": [], "facts": {},
    "title": "Join the council's DPS", "why": ["It is open now."], "next_steps": ["Register on the portal."],
    "caveats": []}}


def lead_bot(text):
    """The bot side of the contract: the card, then the consent request for either way in."""
    if text == "/greet":
        return [{"text": "Here is my recommendation."}, CARD]
    if text in ("/request_assessment", "/talk_to_person"):
        return [{"text": "Happy to arrange that."}, CONSENT]
    if text == AGREE:
        return [{"text": "Thank you: a consultant will be in touch."}]
    if text == DECLINE:
        return [{"text": "No problem: nothing has been stored."}]
    return [{"text": "Noted."}]


def _assert_consent_readable(chat):
    consent = chat.consent.last
    expect(consent).to_be_visible()
    expect(consent.locator(".ra-consent-text")).to_have_text(CONSENT_TEXT)  # all of it, as text
    expect(consent.locator(".ra-consent-text")).to_be_in_viewport()
    assert consent.locator("b, details").count() == 0
    privacy = consent.get_by_role("link", name=re.compile("privacy notice"))
    expect(privacy).to_have_attribute("href", "https://example.org/privacy")
    expect(privacy).to_have_attribute("target", "_blank")
    expect(privacy).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    choices = consent.get_by_role("group", name="Your answer")
    expect(choices.get_by_role("button")).to_have_text(["I agree", "No thanks"])
    return consent


def test_the_card_offer_and_the_consent_request(new_chat, axe_source, artifacts_dir):
    with scripted_bot(lead_bot) as bot, running_demo(server_url=bot.url) as demo:
        chat = new_chat(demo.url)
        chat.goto().open()
        expect(chat.assessment_button).to_be_visible()
        chat.assessment_button.click()
        consent = _assert_consent_readable(chat)
        assert bot.received[-1][1] == "/request_assessment"
        assert chat.user_texts() == ["Get a free assessment"]
        assert axe_violations(chat.page, axe_source, artifacts_dir / "axe-consent.json") == []
        chat.screenshot(artifacts_dir / "widget-consent.png")

        # By keyboard: from the text box back to the choices, agree, and focus returns to the text box.
        chat.input.focus()
        chat.page.keyboard.press("Shift+Tab")
        assert chat.focused() == "button:No thanks", chat.focused()
        chat.page.keyboard.press("Shift+Tab")
        assert chat.focused() == "button:I agree", chat.focused()
        chat.page.keyboard.press("Enter")
        assert chat.focused().startswith("input"), chat.focused()
        expect(chat.log).to_contain_text("a consultant will be in touch")
        assert bot.received[-1][1] == AGREE
        assert chat.user_texts()[-1] == "I agree"
        # Answered: the wording stays in the transcript, the buttons go.
        expect(consent.locator(".ra-consent-text")).to_have_text(CONSENT_TEXT)
        expect(consent.get_by_role("button")).to_have_count(0)

        # "Talk to a person" leads to the same request; declining sends the decline payload.
        chat.talk_to_person.click()
        expect(chat.consent).to_have_count(2)
        _assert_consent_readable(chat).get_by_role("button", name="No thanks").click()
        expect(chat.log).to_contain_text("nothing has been stored")
        assert [text for _, text in bot.received][-2:] == ["/talk_to_person", DECLINE]
        assert chat.user_texts()[-2:] == ["Talk to a person", "No thanks"]
        expect(chat.panel.get_by_role("button", name="I agree")).to_have_count(0)
        chat.assert_no_page_errors()


def test_the_consent_request_on_a_phone(new_chat, artifacts_dir):
    width = PHONE["viewport"]["width"]
    with scripted_bot(lead_bot) as bot, running_demo(server_url=bot.url) as demo:
        chat = new_chat(demo.url, **PHONE)
        chat.goto()
        chat.launcher.tap()
        expect(chat.card).to_be_visible()
        expect(chat.talk_to_person).to_be_in_viewport()
        chat.talk_to_person.tap()
        consent = _assert_consent_readable(chat)
        assert sideways_overflow(chat.page, width) == []
        assert small_targets(chat.page) == []
        consent.evaluate("(el) => el.scrollIntoView({block: 'start'})")
        chat.screenshot(artifacts_dir / "widget-phone-consent.png")
        consent.get_by_role("button", name="I agree").tap()
        expect(chat.log).to_contain_text("a consultant will be in touch")
        assert [text for _, text in bot.received][-2:] == ["/talk_to_person", AGREE]
        chat.assert_no_page_errors()


def test_talk_to_a_person_mid_questions_sends_the_command_to_the_assistant(chat):
    chat.goto().open()
    assert chat.wait_for_question_or_card() == "question"
    chat.answer()
    # Reachable by keyboard from the launcher: the first control of the panel.
    chat.launcher.focus()
    chat.tab_to("button:Talk to a person")
    chat.page.keyboard.press("Enter")
    assert chat.focused().startswith("input"), chat.focused()
    chat.wait_for_sent("/talk_to_person")
    assert chat.sent_messages()[-1] == "/talk_to_person"
    assert chat.user_texts()[-1] == "Talk to a person"
    expect(chat.log.get_by_text("/talk_to_person")).to_have_count(0)
