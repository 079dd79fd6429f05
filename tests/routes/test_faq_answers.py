"""The answers to questions about the routes (data/faq.yml): one per question, and right on the law."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = {name.split("/", 1)[1]: variants[0]["text"]
           for name, variants in yaml.safe_load((ROOT / "data" / "faq.yml").read_text())["responses"].items()}
ASKED = set(re.findall(r"^- intent: faq/([a-z_]+)$", (ROOT / "data" / "nlu" / "questions.yml").read_text(), re.M))


def test_every_question_has_one_answer_and_every_answer_a_question():
    assert ASKED and ASKED == set(ANSWERS)


@pytest.mark.parametrize("question, wording", [
    ("dps_future", ["24 February 2025", "23 February 2029", "dynamic market", "Scotland is not under the 2023 Act"]),
    ("framework_length", ["light touch", "4 years"]),
    ("difference", ["fixed period", "pass/fail", "one person"]),
    ("spot", ["one person"]),
])
def test_answers_say_what_the_guide_and_the_act_say(question, wording):
    for words in wording:
        assert words in ANSWERS[question], (question, words)


@pytest.mark.parametrize("question", sorted(ANSWERS))
def test_answers_are_short_and_plain(question):
    text = ANSWERS[question]
    assert 20 <= len(text.split()) <= 120
    assert "$" not in text and "€" not in text
    assert not re.search(r"\[|\{|TODO|TBC", text)
