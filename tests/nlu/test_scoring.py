"""The evaluation's arithmetic and loading, on small sets written here (no model needed)."""
import textwrap

import pytest

from language.evaluation.scoring import (
    NOT_SAID,
    Reading,
    agreement,
    below_floors,
    intent_accuracy,
    intent_f1,
    intent_of,
    load_floors,
    suggest_floor,
    value_confusion,
    value_f1,
)
from language.evaluation.sets import (
    Case,
    also_trained,
    load_second_annotation,
    load_set,
    normalise,
    slots_after,
    training_texts,
)


def reading(want: dict, got: dict, intent="inform", got_intent="inform") -> Reading:
    return Reading(Case("a line", intent, want), got_intent, got, frozenset(got.items()), 1.0)


def test_value_f1_counts_a_wrong_value_as_both_a_false_positive_and_a_false_negative():
    readings = [reading({"stage": "new"}, {"stage": "new"}),
                reading({"stage": "new"}, {"stage": "established"}),
                reading({}, {"stage": "expanding"}),
                reading({"stage": "established"}, {})]
    # tp 1, fp 2, fn 2: precision 1/3, recall 1/3
    assert value_f1(readings, "stage") == pytest.approx(1 / 3)


def test_confusion_lists_only_differences_most_frequent_first():
    readings = [reading({"dps": "open"}, {}), reading({"dps": "open"}, {}),
                reading({"dps": "open"}, {"dps": "open"}), reading({}, {"dps": "closed"})]
    assert value_confusion(readings, "dps") == [("open", NOT_SAID, 2), (NOT_SAID, "closed", 1)]


def test_a_retrieval_intent_is_read_as_its_question():
    result = {"intent": {"name": "faq"}, "response_selector": {
        "all_retrieval_intents": ["faq"],
        "default": {"response": {"intent_response_key": "faq/ask_dps"}}}}
    assert intent_of(result) == "faq/ask_dps"
    assert intent_accuracy([reading({}, {}, "ask_dps", "faq/ask_dps"), reading({}, {}, "ask_dps", "faq/ask_spot")]) == 0.5


def test_a_set_that_names_only_the_group_is_right_on_any_of_its_questions():
    readings = [reading({}, {}, "faq", "faq/ask_dps"), reading({}, {}, "faq", "faq/ask_spot"),
                reading({}, {}, "faq", "inform"), reading({}, {}, "inform", "faq/ask_dps")]
    assert intent_accuracy(readings) == 0.5
    # faq: 2 of 3 found, none wrongly (F1 0.8, weight 3/4); inform: none right (weight 1/4).
    assert intent_f1(readings) == pytest.approx(0.6)


@pytest.mark.parametrize("measured, floor", [(0.9531, 0.93), (0.95, 0.93), (0.9, 0.88), (0.015, 0.0), (1.0, 0.98)])
def test_floor_is_measured_minus_two_points_rounded_down(measured, floor):
    assert suggest_floor(measured) == floor


def test_below_floors_names_the_figure_and_a_floor_nothing_measures():
    assert below_floors({"stage": 0.9, "dps": 0.97}, {"stage": 0.92, "dps": 0.95, "nation": 0.9}) == [
        "stage: measured 0.900, floor 0.92", "nation: has a floor (0.90) but the set does not measure it"]


def test_a_floor_outside_0_to_1_is_refused(tmp_path):
    path = tmp_path / "floors.yml"
    path.write_text("floors:\n  heldout:\n    stage: 93\n")
    with pytest.raises(ValueError, match="heldout.stage must be a number from 0 to 1"):
        load_floors(path)


def test_the_nation_is_inferred_from_the_council_as_the_walker_does():
    assert slots_after({"council": "Newport"})["nation"] == "wales"
    assert slots_after({"council": "Newport", "nation": "england"})["nation"] == "england"
    assert "nation" not in slots_after({"regulator": "ciw"}, only=["registration"])


def test_a_line_is_scored_on_what_the_trees_implies_fills_as_the_walker_does():
    assert slots_after({"on_list": "framework"})["stage"] == "established"
    assert slots_after({"on_list": "both", "stage": "expanding"})["stage"] == "expanding"
    assert "stage" not in slots_after({"on_list": "none"})
    assert slots_after({"registration": "not_required"})["service"] == "unregulated"
    # a set that does not annotate on_list is not scored on a stage that only follows from it
    assert "stage" not in slots_after({"on_list": "dps"}, only=["stage"])


def test_a_situations_line_and_a_second_label_count_the_implied_stage(tmp_path):
    path = tmp_path / "set.yml"
    path.write_text(textwrap.dedent("""\
        situations:
          - {text: "on their framework, lot 2", intent: inform, facts: {on_list: framework}}
          - {text: "new to council work", intent: inform, facts: {stage: new}}
        """))
    on_framework, new_line = load_set(path).cases
    assert on_framework.facts == {"on_list": "framework", "stage": "established"}
    readings = [Reading(on_framework, "inform", {"stage": "established"}, frozenset(), 1.0),
                Reading(new_line, "inform", {"stage": "new"}, frozenset(), 1.0)]
    assert value_f1(readings, "stage") == 1.0
    second = {"on their framework, lot 2": {"on_list": "framework"}, "new to council work": {"stage": "new"}}
    lines, agreed, where = agreement(readings, second, ["stage", "on_list"])
    assert lines == 2 and agreed["stage"] == 1.0 and where["stage"] == 1.0


def test_training_text_includes_examples_lookups_and_synonyms(tmp_path):
    (tmp_path / "nlu.yml").write_text(textwrap.dedent("""\
        version: "3.1"
        nlu:
        - intent: inform
          examples: |
            - We are   [brand new]{"entity": "stage", "value": "new"}
        - lookup: council
          examples: |
            - Kent
        - synonym: established
          examples: |
            - been going for years
        """))
    trained = training_texts(tmp_path)
    assert {"we are brand new", "brand new", "new", "kent", "been going for years", "established"} <= trained
    held_out = tmp_path / "heldout.yml"
    held_out.write_text('situations:\n  - {text: "  KENT ", intent: inform}\n  - {text: "kent county", intent: inform}\n')
    assert also_trained(load_set(held_out), trained) == ["  KENT "]
    assert normalise(" We  ARE\tbrand new ") == "we are brand new"


def test_a_set_in_neither_format_is_refused(tmp_path):
    path = tmp_path / "set.yml"
    path.write_text("lines: [hello]\n")
    with pytest.raises(ValueError, match="neither a `situations:` list nor Rasa NLU data"):
        load_set(path)


def test_facts_are_scored_only_on_lines_of_intents_the_set_annotates_facts_on(tmp_path):
    path = tmp_path / "set.yml"
    path.write_text(textwrap.dedent("""\
        situations:
          - {text: "we're in wales", intent: inform, facts: {nation: wales}}
          - {text: "no council work yet", intent: inform}
          - {text: "what is a dps in scotland", intent: faq/dps}
          - {text: "how long do frameworks last", intent: faq/framework_length}
        """))
    inform, unsaid, dps_question, length_question = load_set(path).cases
    assert inform.facts_scored and unsaid.facts_scored
    assert not dps_question.facts_scored and not length_question.facts_scored
    readings = [Reading(inform, "inform", {"nation": "wales"}, frozenset(), 1.0),
                Reading(unsaid, "inform", {"nation": "england"}, frozenset(), 1.0),
                Reading(dps_question, "faq/dps", {"nation": "scotland"}, frozenset(), 1.0)]
    # the question's nation is neither right nor wrong; the unannotated inform line's is wrong
    assert value_f1(readings, "nation") == pytest.approx(2 / 3)
    assert value_confusion(readings, "nation") == [(NOT_SAID, "england", 1)]


def test_agreement_scores_the_second_labels_against_the_sets_and_the_model_where_they_agree():
    def line(text, want, got):
        return Reading(Case(text, "inform", want), "inform", got, frozenset(got.items()), 1.0)

    readings = [line("on their framework", {"stage": "established"}, {"stage": "established"}),
                line("based in leeds, want york", {"stage": "expanding"}, {}),
                line("trading 10 years", {}, {"stage": "established"}),
                line("not labelled twice", {"stage": "new"}, {})]
    second = {"on their framework": {"stage": "established"},
              "based in leeds, want york": {"stage": "expanding"},
              "trading 10 years": {"stage": "established"}}
    lines, agreed, where = agreement(readings, second, ["stage"])
    assert lines == 3
    assert agreed["stage"] == pytest.approx(0.8)  # tp 2, fp 1, fn 0
    # where both agree (the first two lines): tp 1, fn 1
    assert where["stage"] == pytest.approx(2 / 3)


def test_a_second_label_outside_its_facts_is_refused(tmp_path):
    path = tmp_path / "second.yml"
    path.write_text("facts: [stage]\nsets:\n  heldout:\n    - {text: hi, facts: {dps: open}}\n")
    with pytest.raises(ValueError, match="outside `facts`"):
        load_second_annotation(path)
    path.write_text("facts: [stage, colour]\nsets: {}\n")
    with pytest.raises(ValueError, match="colour"):
        load_second_annotation(path)
