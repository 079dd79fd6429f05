import shutil

import pytest

from language.build_pipeline import make_nlp
from language.contract import REPO_ROOT


@pytest.fixture(scope="session")
def nlp():
    """The spaCy pipeline built in memory from the pattern files, as `python -m
    language.build_pipeline` builds it; built once (about 30 s) for every module here."""
    return make_nlp()


@pytest.fixture()
def patterns_copy(tmp_path):
    """A copy of language/patterns/ to break or change."""
    target = tmp_path / "patterns"
    shutil.copytree(REPO_ROOT / "language" / "patterns", target)
    return target
