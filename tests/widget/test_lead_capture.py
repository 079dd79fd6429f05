"""The lead flow in a real browser against the real assistant: the card's offer, the details,
the consent wording readable before agreeing, and the lead in the database only once agreed."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

import leads

ONE_MESSAGE = ("new dom care agency, CQC registered last month, Kent's DPS is open, the framework's closed "
               "and we could take a few more packages")


def test_the_card_offer_to_a_stored_lead(chat, assistant, artifacts_dir):
    consultancy = leads.load_consultancy()
    email = f"jane.{uuid.uuid4().hex[:8]}@sunrise-care.example.co.uk"
    store = leads.LeadStore(f"sqlite:///{assistant.log_dir / 'conversations.db'}")

    def theirs():
        return [lead for lead in store.all_leads() if lead.email == email]

    chat.goto().open()
    chat.wait_for_question_or_card()
    chat.say(ONE_MESSAGE)
    assert chat.wait_for_question_or_card() == "card"
    expect(chat.reply_buttons).to_have_count(0)  # on the card: its own offer, no second one
    chat.assessment_button.click()
    for prompt, answer in (("what's your name?", "Jane Smith"), ("name of your organisation", "Sunrise Home Care"),
                           ("What email address", email), ("phone number", "skip")):
        expect(chat.log).to_contain_text(prompt)
        chat.wait_until_idle()
        chat.say(answer)

    # The consent request, in full, before anything is kept; the area is known (Kent), so not asked.
    consent = chat.consent.last
    expect(consent).to_be_visible()
    wording = consent.locator(".ra-consent-text")
    expect(wording).to_contain_text(f"We keep them for {consultancy.lead_retention_days} days")
    expect(wording).to_contain_text(f"Only the {consultancy.name} team sees them")
    expect(wording).to_be_in_viewport()
    expect(consent.get_by_role("link", name=re.compile("privacy notice"))).to_have_attribute(
        "href", consultancy.privacy_url)
    expect(chat.log).not_to_contain_text("Which council or area")
    chat.wait_until_idle()
    assert theirs() == []
    chat.screenshot(artifacts_dir / "widget-lead-consent.png")

    consent.get_by_role("button", name="I agree").click()
    expect(chat.log).to_contain_text("Thank you, Jane Smith.")
    chat.wait_until_idle()
    [lead] = theirs()
    assert lead.organisation == "Sunrise Home Care" and lead.phone is None
    assert lead.council_or_area == "Kent County Council" and lead.route == "dps"
    assert lead.consent_text == wording.inner_text()
    assert chat.sent_messages()[-1] == '/consent{"consent": "agreed"}'
    store.dispose()
