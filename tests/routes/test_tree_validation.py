"""A malformed tree is refused on load, with an error naming the node at fault."""
import copy

import pytest
import yaml

from routes.diagram import document
from routes.tree import DEFAULT_TREE, TreeError, load_tree, parse_tree

RAW = yaml.safe_load(DEFAULT_TREE.read_text(encoding="utf-8"))


def broken(change):
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


CASES = {
    "missing branch": (
        lambda t: t["nodes"]["stage"]["branches"].pop("expanding"),
        "node 'stage': no branch for answer(s) expanding of 'stage'",
    ),
    "branch for an answer the fact does not have": (
        lambda t: t["nodes"]["stage"]["branches"].update(veteran="join_list"),
        "node 'stage': branch for unknown answer(s) veteran",
    ),
    "branch to a node that does not exist": (
        lambda t: t["nodes"]["stage"]["branches"].update(new="nowhere"),
        "node 'stage': branch 'new' leads to unknown node 'nowhere'",
    ),
    "cycle": (
        lambda t: t["nodes"]["dps"]["branches"].update(closed="stage"),
        "cycle stage -> dps -> stage",
    ),
    "unreachable leaf": (
        lambda t: t["nodes"].update(orphan=dict(t["nodes"]["join_list"])),
        "node 'orphan': unreachable",
    ),
    "unknown route": (
        lambda t: t["nodes"]["join_list"].update(route="block_contract"),
        "node 'join_list': route 'block_contract' is not one of",
    ),
    "unknown caveat": (
        lambda t: t["nodes"]["join_list"]["caveats"].append("brexit"),
        "node 'join_list': unknown caveat 'brexit'",
    ),
    "question about an unknown fact": (
        lambda t: t["nodes"]["stage"].update(ask="turnover"),
        "node 'stage': asks about 'turnover', which is not a fact with a question",
    ),
    "question about a fact that is never asked": (
        lambda t: t["nodes"]["stage"].update(ask="funding"),
        "node 'stage': asks about 'funding', which is not a fact with a question",
    ),
    "check without a value for when the visitor didn't say": (
        lambda t: t["nodes"]["who_funds_the_care"].pop("otherwise"),
        "node 'who_funds_the_care': 'otherwise' must be one of the answers of 'funding'",
    ),
    "node both question and recommendation": (
        lambda t: t["nodes"]["stage"].update(route="dps"),
        "node 'stage': needs one of 'ask'",
    ),
    "recommendation without reasons": (
        lambda t: t["nodes"]["join_list"].pop("why"),
        "node 'join_list': a recommendation needs 'why' and 'next_steps'",
    ),
    "condition with an answer the fact does not have": (
        lambda t: t["nodes"]["make_the_most_of_the_framework"]["also"][0].update(when={"dps": "maybe"}),
        "node 'make_the_most_of_the_framework': also: 'dps' has no answer maybe",
    ),
    "unknown placeholder": (
        lambda t: t["nodes"]["join_list"].update(title="Join {county}'s DPS"),
        "node 'join_list': unknown placeholder '{county}'",
    ),
    "question fact with no way to be unsure": (
        lambda t: t["facts"]["nation"].pop("assume"),
        "fact 'nation': needs an 'unknown' answer or an 'assume' value",
    ),
    "assumed value that is not an answer": (
        lambda t: t["facts"]["capacity"].update(assume="lots"),
        "fact 'capacity': 'assume' value 'lots' is not one of its answers",
    ),
    "nation without its regulator and portals": (
        lambda t: t["nations"]["wales"].pop("portals"),
        "nations: 'wales' is missing portals",
    ),
    "regulator that no nation has": (
        lambda t: t["nations"]["wales"].update(regulator_id="cqc"),
        "nations: no nation has regulator ciw",
    ),
    "nation the nation fact does not have": (
        lambda t: t["nations"].update(cornwall=dict(t["nations"]["england"])),
        "nations: must list 'default' and exactly the nation fact's answers",
    ),
    "implication on an unknown fact": (
        lambda t: t["implies"].append({"if": {"turnover": "high"}, "then": {"stage": "established"}}),
        "implies: rule 3: condition on unknown fact 'turnover'",
    ),
    "reply without a word limit": (
        lambda t: t["reply"].pop("words"),
        "reply: 'words' (the longest recommendation message) must be a number",
    ),
    "missing start node": (lambda t: t.update(start="welcome"), "start node 'welcome' does not exist"),
    "missing section": (lambda t: t.pop("caveats"), "missing section 'caveats'"),
    "route without a name": (lambda t: t["routes"].update(spot={}), "routes: 'spot' needs a 'name'"),
}


@pytest.mark.parametrize("name", CASES)
def test_malformed_tree_is_rejected_naming_the_fault(name):
    change, message = CASES[name]
    with pytest.raises(TreeError) as error:
        parse_tree(broken(change))
    assert message in str(error.value)


def test_the_shipped_tree_is_valid():
    tree = load_tree()
    assert tree.start == "service" and len(tree.nodes) > 40


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "tree.yml"
    path.write_text("facts: [unclosed", encoding="utf-8")
    with pytest.raises(TreeError, match="tree.yml: not valid YAML"):
        load_tree(path)


def test_diagram_for_consultants_is_up_to_date():
    """docs/decision-tree.md is generated by `make diagram`; rerun it after editing the tree."""
    from pathlib import Path

    committed = Path(__file__).parents[2] / "docs" / "decision-tree.md"
    assert committed.read_text(encoding="utf-8") == document(load_tree())


def test_diagram_shows_every_node_and_route():
    text = document(load_tree())
    for node_id in RAW["nodes"]:
        assert f"    {node_id}" in text
    assert "REGISTER FIRST" in text and "DPS / APPROVED PROVIDER LIST" in text
