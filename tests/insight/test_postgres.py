"""The report on PostgreSQL, the production tracker store: the same seed, the same numbers."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from insight import report, store
from tests.insight.seed import EXPECTED, assert_matches, read, seed_postgres
from tests.support.services import running_postgres


def test_the_report_on_postgresql(monkeypatch, tmp_path):
    with running_postgres() as pg:
        seed_postgres(pg.url)
        insight, leads = read(pg.url)
        assert_matches(insight, leads, EXPECTED["all"])

        engine = store.read_only_engine(pg.url)
        with pytest.raises(store.StoreError, match="read-only transaction"), store.reading(engine) as connection:
            connection.execute(sa.text("DELETE FROM events"))
        engine.dispose()

        monkeypatch.setenv("TRACKER_STORE_URL", pg.url)
        out = tmp_path / "report.html"
        assert report.main(["--from", "2026-03-03", "--to", "2026-03-03", "--out", str(out)]) == 0
        assert "3 of 5 conversations" in out.read_text(encoding="utf-8")
        assert pg.query("SELECT count(DISTINCT sender_id) FROM events") == "12", "the DELETE was refused"
