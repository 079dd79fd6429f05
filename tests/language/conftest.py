import pytest

from language.build_pipeline import make_nlp


@pytest.fixture(scope="session")
def nlp():
    """The spaCy pipeline built in memory from the pattern files, as `python -m
    language.build_pipeline` builds it; built once (about 30 s) for every module here."""
    return make_nlp()
