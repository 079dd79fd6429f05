"""`python -m insight.report` and `make report` on the seeded store: the HTML file and the errors."""
from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from rasa.core.tracker_store import SQLTrackerStore

from insight import report
from tests.insight.seed import DOMAIN, SCRIPT_MESSAGE, write_leads
from tests.support.servers import REPO_ROOT, free_port


class Page(HTMLParser):
    """The images, links and table rows of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.images, self.references, self.rows, self._row = [], [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        for name in ("src", "href"):
            if name in attrs:
                self.references.append(attrs[name])
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._row.append("")

    def handle_data(self, data):
        if self._row:
            self._row[-1] += data

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            self.rows.append([cell.strip() for cell in self._row])
            self._row = None


def build(monkeypatch, tmp_path, url, *options):
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    monkeypatch.delenv("LEADS_DB_URL", raising=False)
    out = tmp_path / "report.html"
    assert report.main([*options, "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_the_whole_store(monkeypatch, tmp_path, seeded_url, capsys):
    text = build(monkeypatch, tmp_path, seeded_url)
    page = Page(text)
    assert "Report written to" in capsys.readouterr().out
    assert "Conversations started from 2 March 2026 to 4 March 2026 (UTC). Generated " in text
    assert re.search(r"Generated \d+ \w+ \d{4} at \d\d:\d\d UTC", text)
    assert "50%" in text and "6 of 12 conversations" in text
    assert re.search(r"<dt>Leads captured</dt><dd>3</dd>", text)
    assert re.search(r"<dt>Median messages to a recommendation</dt><dd>8<small>", text)
    rows = page.rows
    assert ["3 March 2026", "5"] in rows and ["4 March 2026", "3"] in rows
    assert ["Is the service registered with the care regulator?", "1"] in rows
    assert ["DPS / approved provider list", "2"] in rows and ["Register first", "2"] in rows
    assert ["asdfgh", "3"] in rows
    assert ["we're sort of mid-sized", "How established are you with the council?", "1"] in rows
    assert "hello again" not in text  # only reached by the fallback or re-ask lists


def test_the_page_is_self_contained_with_described_charts(monkeypatch, tmp_path, seeded_url):
    text = build(monkeypatch, tmp_path, seeded_url)
    page = Page(text)
    assert not [ref for ref in page.references if not ref.startswith("data:")]
    assert not re.search(r"<link|<script|@import|url\(", text, re.IGNORECASE)
    assert len(page.images) == 3  # per day, drop-off, routes
    for image in page.images:
        assert len(image["alt"]) > 40, "each chart is described in words"
        assert image["src"].startswith("data:image/png;base64,")
        assert base64.b64decode(image["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    alts = [image["alt"] for image in page.images]
    assert "12 in all, the most (5) on 3 March 2026" in alts[0]
    assert 'the most (1) ended at "What kind of care do you provide, or plan to?", ' in alts[1]
    assert 'the most often (2): "DPS / approved provider list" and "Register first"' in alts[2]


def test_visitor_text_is_escaped(monkeypatch, tmp_path, seeded_url):
    text = build(monkeypatch, tmp_path, seeded_url)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in text
    assert "<script" not in text
    assert [SCRIPT_MESSAGE, "1"] in Page(text).rows


def test_a_date_range(monkeypatch, tmp_path, seeded_url):
    text = build(monkeypatch, tmp_path, seeded_url, "--from", "2026-03-03", "--to", "2026-03-03")
    rows = Page(text).rows
    assert "Conversations started on 3 March 2026 (UTC)" in text
    assert "3 of 5 conversations" in text and re.search(r"<dt>Leads captured</dt><dd>1</dd>", text)
    assert ["3 March 2026", "5"] in rows and not [row for row in rows if row[0] == "2 March 2026"]
    assert ["asdfgh", "1"] in rows


def test_an_empty_range_says_so(monkeypatch, tmp_path, seeded_url):
    text = build(monkeypatch, tmp_path, seeded_url, "--from", "2026-04-01", "--to", "2026-04-30")
    assert "No conversations from 1 April 2026 to 30 April 2026." in text
    assert "<img" not in text


def test_leads_kept_in_a_database_of_their_own(monkeypatch, tmp_path):
    """LEADS_DB_URL, as the lead capture uses it: the leads are counted there."""
    SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "conversations.db")).engine.dispose()
    write_leads(f"sqlite:///{tmp_path / 'leads.db'}")
    text = build(monkeypatch, tmp_path, f"sqlite:///{tmp_path / 'conversations.db'}")
    assert "no leads table yet" in text
    monkeypatch.setenv("LEADS_DB_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    out = tmp_path / "report.html"
    assert report.main(["--out", str(out)]) == 0
    assert re.search(r"<dt>Leads captured</dt><dd>3</dd>", out.read_text(encoding="utf-8"))


def test_a_store_without_conversations_or_leads(monkeypatch, tmp_path):
    SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "empty.db")).engine.dispose()
    text = build(monkeypatch, tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
    assert "No conversations at any time." in text and "no leads table yet" in text


@pytest.mark.parametrize("options, message", [
    (["--from", "2026-02-30"], "'2026-02-30' is not a date; write it as YYYY-MM-DD"),
    (["--to", "31/03/2026"], "'31/03/2026' is not a date"),
    (["--from", "2026-03-04", "--to", "2026-03-02"], "--from 2026-03-04 is after --to 2026-03-02"),
])
def test_a_bad_date_is_refused(monkeypatch, tmp_path, seeded_url, capsys, options, message):
    monkeypatch.setenv("TRACKER_STORE_URL", seeded_url)
    with pytest.raises(SystemExit) as exit_:
        report.main([*options, "--out", str(tmp_path / "report.html")])
    assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "report.html").exists()


def test_a_database_that_does_not_answer(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TRACKER_STORE_URL", f"postgresql://owner:s3cret@127.0.0.1:{free_port()}/conversations")
    assert report.main(["--out", str(tmp_path / "report.html")]) == 1
    error = capsys.readouterr().err
    assert "Cannot read the tracker store at postgresql://owner:***@127.0.0.1" in error
    assert "Connection refused" in error and "s3cret" not in error
    assert not (tmp_path / "report.html").exists()


def test_a_missing_sqlite_file_is_not_created(monkeypatch, tmp_path, capsys):
    missing = tmp_path / "none.db"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{missing}")
    assert report.main(["--out", str(tmp_path / "report.html")]) == 1
    assert f"No tracker store at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_make_report_passes_the_date_range(tmp_path, seeded_url):
    """The Make include as a visitor runs it: the command line, the range, where the file went."""
    out = tmp_path / "owner.html"
    env = {**os.environ, "TRACKER_STORE_URL": seeded_url}
    done = subprocess.run(
        ["make", "--no-print-directory", "-f", "insight/insight.mk", "report", f"PY={sys.executable}",
         "REPORT_FROM=2026-03-04", "REPORT_TO=2026-03-04", f"REPORT_OUT={out}"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"Report written to {out}: 3 conversations on 4 March 2026." in done.stdout
    assert "1 of 3 conversations" in out.read_text(encoding="utf-8")


def test_a_database_that_is_not_a_tracker_store(monkeypatch, tmp_path, capsys):
    other = tmp_path / "other.db"
    write_leads(f"sqlite:///{other}")
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{other}")
    assert report.main(["--out", str(tmp_path / "report.html")]) == 1
    assert "has no `events` table: it is not Rasa's SQL tracker store" in capsys.readouterr().err
