"""Rasa's files and the contract agree with the tree, and a drifted copy is named."""
import shutil

import pytest
import yaml

from routes.check_domain import ROOT, problems
from routes.tree import load_tree

TREE = load_tree()


def test_the_shipped_files_agree_with_the_tree():
    assert problems(TREE) == []


@pytest.fixture
def project(tmp_path):
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "contract.md", tmp_path / "docs" / "contract.md")
    return tmp_path


def edit_domain(project, change):
    domain = yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))
    change(domain)
    (project / "domain.yml").write_text(yaml.safe_dump(domain), encoding="utf-8")


def test_a_slot_value_missing_from_the_domain_is_named(project):
    edit_domain(project, lambda d: d["slots"]["capacity"]["values"].remove("limited"))
    assert problems(TREE, project) == [
        "domain.yml: slot 'capacity' values ['none', 'available'] should be ['none', 'limited', 'available']"]


def test_a_question_missing_from_the_form_and_its_ask_action_are_named(project):
    def drop(domain):
        domain["forms"]["route_form"]["required_slots"].remove("on_list")
        domain["actions"].remove("action_ask_on_list")

    edit_domain(project, drop)
    found = problems(TREE, project)
    assert "domain.yml: missing action 'action_ask_on_list'" in found
    assert any(p.startswith("domain.yml: route_form required_slots") for p in found)


def test_the_unsure_entity_missing_from_the_domain_is_named(project):
    edit_domain(project, lambda d: d["entities"].remove("unsure"))
    assert problems(TREE, project) == [
        "domain.yml: no entity 'unsure' (the fact a visitor doesn't know, routes/walker.py)"]


def test_a_contract_row_that_drifted_is_named(project):
    contract = project / "docs" / "contract.md"
    contract.write_text(contract.read_text(encoding="utf-8").replace("`adding_service`, ", ""), encoding="utf-8")
    assert problems(TREE, project) == [
        "docs/contract.md: the row for 'registration' lists ['registered', 'pending', 'unregistered', "
        "'not_required'], not ['registered', 'adding_service', 'pending', 'unregistered', 'not_required']"]
