"""A malformed pattern or mention file fails the build, naming the file (no Rasa training)."""
from __future__ import annotations

import shutil

import pytest
import yaml

from language.build_pipeline import make_nlp
from language.contract import REPO_ROOT, TREE_PATH
from language.pattern_format import PatternError
from tests.language.reading import facts

MENTIONS = REPO_ROOT / "language" / "mentions"



@pytest.mark.parametrize(
    "content,message",
    [
        ("new: [start-up\n", "not valid YAML"),
        ("brand_new: [start-up]\n", "not a canonical value"),
        ("new: start-up\n", "non-empty list"),
        ("new: [<number> years]\n", "unknown marker"),
        ("new: [$NOPE agency]\n", "not defined"),
        ("new: [[{LOWER: 1, BOGUS: x}]]\n", "invalid spaCy token pattern"),
        ("new: [no]\n", "quote it"),
        ("new: [start-up]\nestablished: [start-up]\n", "given for"),
        ("new:\n  - x? y?\n", "can match nothing"),
        ("new:\n  - ^x? y?\n", "can match nothing"),
    ],
)
def test_malformed_file_fails_naming_the_file(patterns_copy, content, message):
    bad = patterns_copy / "stage.yml"
    bad.write_text(content)
    with pytest.raises(PatternError) as err:
        make_nlp(patterns_copy)
    assert str(bad) in str(err.value)
    assert message in str(err.value)


def test_a_caret_matches_only_the_messages_first_words(patterns_copy):
    """`^` marks the message's first word; an optional first word may be left out there."""
    (patterns_copy / "stage.yml").write_text("new:\n  - ^just|only? started up\n", encoding="utf-8")
    nlp = make_nlp(patterns_copy)
    for text, found in [("started up in May", True), ("just started up", True), ("only started up", True),
                        ("we just started up", False), ("we started up", False)]:
        assert (("stage", "new") in facts(nlp, text)) is found, text


def test_unknown_entity_file_fails(patterns_copy):
    (patterns_copy / "mood.yml").write_text("happy: [great]\n")
    with pytest.raises(PatternError, match="mood.yml"):
        make_nlp(patterns_copy)


def test_values_come_from_the_tree(patterns_copy, tmp_path):
    tree = tmp_path / "decision-tree.yml"
    real = yaml.safe_load(TREE_PATH.read_text())
    del real["facts"]["stage"]["answers"]["expanding"]
    tree.write_text(yaml.safe_dump(real))
    with pytest.raises(PatternError, match="'expanding' is not a canonical value"):
        make_nlp(patterns_copy, tree_path=tree)


def test_mention_contexts_only_in_mention_files(patterns_copy):
    (patterns_copy / "stage.yml").write_text("new: [start-up]\n_base: [based in]\n")
    with pytest.raises(PatternError, match="'_base' is not a canonical value"):
        make_nlp(patterns_copy)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("mood.yml", "happy: [great]\n", "not a fact entity"),
        ("regulator.yml", "ofsted: [ofsted]\n", "not a canonical value"),
        ("service.yml", "home_care: [home care]\ncare_home: [home care]\n", "given for"),
    ],
)
def test_malformed_mention_file_fails_naming_the_file(tmp_path, name, content, message):
    mentions = tmp_path / "mentions"
    shutil.copytree(MENTIONS, mentions)
    (mentions / name).write_text(content)
    with pytest.raises(PatternError) as err:
        make_nlp(mentions_dir=mentions)
    assert str(mentions / name) in str(err.value)
    assert message in str(err.value)
