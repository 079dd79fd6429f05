"""Building the spaCy pipeline (no Rasa training): the build is deterministic, its version
names its contents, and the installed package is the one these files build.

The tests of the pattern files are split (this file, test_pattern_files.py, test_patterns.py)
so that each, a couple of minutes, can run on its own pytest worker.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from language.build_pipeline import build, make_nlp
from language.contract import REPO_ROOT
from language.package_pipeline import REMEMBERING_LOAD, SPACY_LOAD, remember_loads
from language.pattern_format import PatternError


def test_build_is_deterministic(tmp_path):
    """Same files, same output, whatever Python's hash seed (separate processes)."""
    for seed in ("1", "2"):
        subprocess.run(
            [sys.executable, "-m", "language.build_pipeline", str(tmp_path / seed)],
            cwd=REPO_ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True,
        )
    for name in ("meta.json", "entity_ruler/patterns.jsonl", "mentions/patterns", "spelling/vocabulary.json", "config.cfg"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_pipeline_version_changes_with_the_patterns(nlp, patterns_copy):
    """The installed package's version names the pipeline: pip upgrades a changed pipeline
    and an image says which one it has."""
    stage = patterns_copy / "stage.yml"
    text = stage.read_text(encoding="utf-8")
    assert "firm, outfit" in text
    stage.write_text(text.replace("firm, outfit", "outfit"), encoding="utf-8")  # one word fewer
    changed = make_nlp(patterns_copy)
    assert nlp.meta["version"].startswith("1.0.0+") and changed.meta["version"].startswith("1.0.0+")
    assert changed.meta["version"] != nlp.meta["version"]


def test_installed_pipeline_is_the_one_these_files_build(nlp):
    """Rasa loads the installed package; these tests build in memory. Same version, same
    pipeline: otherwise `make spacy` has not run since the files changed."""
    import spacy

    assert spacy.info("en_route_advisor")["version"] == nlp.meta["version"]


def test_build_writes_nothing_when_a_file_is_bad(patterns_copy, tmp_path):
    (patterns_copy / "nation.yml").write_text("atlantis: [atlantis]\n")
    with pytest.raises(PatternError, match="nation.yml"):
        build(tmp_path / "out", patterns_copy)
    assert not (tmp_path / "out").exists()


def test_package_loader_is_replaced_only_where_spacy_wrote_the_expected_one(tmp_path):
    init_py = tmp_path / "__init__.py"
    init_py.write_text("from spacy.util import load_model_from_init_py\n" + SPACY_LOAD)
    remember_loads(init_py)
    assert REMEMBERING_LOAD in init_py.read_text() and SPACY_LOAD not in init_py.read_text()
    init_py.write_text("def load(**overrides):\n    return something_else()\n")
    with pytest.raises(RuntimeError, match="template changed"):
        remember_loads(init_py)
    assert init_py.read_text() == "def load(**overrides):\n    return something_else()\n"
