"""The report on PostgreSQL, the production tracker store: the same seed, the same numbers."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from insight import report, store
from tests.insight.seed import DAY_2, EXPECTED, assert_matches, read, seed_postgres
from tests.support.services import running_postgres


def test_the_report_on_postgresql(monkeypatch, tmp_path):
    with running_postgres() as pg:
        seed_postgres(pg.url)
        assert_matches(*read(pg.url), EXPECTED["all"])
        assert_matches(*read(pg.url, DAY_2, DAY_2), EXPECTED["day 2"])  # a lead at 23:30 UTC is day 2's

        engine = store.read_only_engine(pg.url)
        with pytest.raises(store.StoreError, match="read-only transaction"), store.reading(engine) as connection:
            connection.execute(sa.text("DELETE FROM events"))
        engine.dispose()

        monkeypatch.setenv("TRACKER_STORE_URL", pg.url)
        monkeypatch.delenv("LEADS_DB_URL", raising=False)
        out = tmp_path / "report.html"
        assert report.main(["--from", "2026-03-03", "--to", "2026-03-03", "--out", str(out)]) == 0
        assert "3 of 5 conversations" in out.read_text(encoding="utf-8")
        assert pg.query("SELECT count(DISTINCT sender_id) FROM events") == "12", "the DELETE was refused"
