import pytest

from tests.insight.seed import seed_sqlite


@pytest.fixture(scope="package")
def seeded_url(tmp_path_factory) -> str:
    """The seeded tracker store (tests/insight/seed.py) in a SQLite file of its own."""
    return seed_sqlite(tmp_path_factory.mktemp("insight") / "conversations.db")
