"""The trained model runs without the source tree's data, from any working directory.

Why: a deployed image holds the model, the project's code and the installed spaCy pipeline
package (en_route_advisor), not routes/*.yml, language/patterns/ or build/spacy/. So the
model is copied to a temporary directory and loaded there by a separate Python process whose
working directory is another temporary directory and whose project code is a copy of the
packages' .py files only. An audit hook in that process records every file it opens and
every directory it lists: nothing may be in the project (its .venv aside), and nothing in
the code copy but Python modules. Then the parse must give the canonical entities.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import REPO_ROOT, find_model

MESSAGE = "new home care agency in Kent, CQC registered"
EXPECTED = [
    ("stage", "new"),
    ("service", "home_care"),
    ("council", "Kent County Council"),
    ("regulator", "cqc"),
    ("registration", "registered"),
]

# Run in the isolated process: load the model with Rasa's Agent, parse one message, print
# the entities and every path opened or listed after the hook was installed (Python's
# "open" event covers open(), io.open and os.open).
PARSE = r'''
import asyncio, json, os, sys

touched = []

def record(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        touched.append(os.path.abspath(os.fsdecode(args[0])))

sys.addaudithook(record)

from rasa.core.agent import Agent

agent = Agent.load(sys.argv[1])
result = asyncio.run(agent.parse_message(sys.argv[2]))
print(json.dumps({"entities": result["entities"], "touched": touched}))
'''


def code_only_copy(destination: Path) -> Path:
    """The project's Python packages (tests aside), .py files only: code, no data."""
    for init in sorted(REPO_ROOT.glob("*/__init__.py")):
        package = init.parent
        if package.name in ("tests", ".venv"):
            continue
        for module in package.rglob("*.py"):
            target = destination / module.relative_to(REPO_ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(module, target)
    return destination


@pytest.fixture(scope="module")
def isolated_parse(tmp_path_factory):
    """What the model, loaded away from the project, makes of MESSAGE, and what it touched."""
    model = Path(shutil.copy2(find_model("models"), tmp_path_factory.mktemp("model")))
    code = code_only_copy(tmp_path_factory.mktemp("code"))
    cwd = tmp_path_factory.mktemp("cwd")
    env = {**os.environ, "PYTHONPATH": str(code), "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, "-c", PARSE, str(model), MESSAGE],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), code


def test_model_parses_to_canonical_entities_away_from_the_project(isolated_parse):
    parsed, _ = isolated_parse
    assert [(e["entity"], e["value"]) for e in parsed["entities"]] == EXPECTED


def test_model_reads_nothing_from_the_source_tree(isolated_parse):
    parsed, code = isolated_parse
    venv = REPO_ROOT / ".venv"
    touched = [Path(p) for p in parsed["touched"]]
    assert any(venv in p.parents for p in touched), "the audit hook recorded nothing from the venv"
    in_project = sorted({str(p) for p in touched if REPO_ROOT in p.parents and venv not in p.parents})
    assert in_project == [], f"the model read the source tree: {in_project[:20]}"
    not_code = sorted({
        str(p) for p in touched
        if code in p.parents and p.suffix not in (".py", ".pyc") and not p.is_dir()
    })
    assert not_code == [], f"the model looked for data beside the code: {not_code[:20]}"
