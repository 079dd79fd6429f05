"""The owner's report: `python -m insight.report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out FILE]`.

Reads the tracker store (TRACKER_STORE_URL, default sqlite:///.rasa/conversations.db) read-only
and writes one self-contained HTML file: charts embedded as PNG, no external CSS, scripts or
fonts, every chart with alt text and a table of its numbers, visitor text HTML-escaped.
Exit status 2 for a bad option, 1 when the database can't be read.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime, timezone
from pathlib import Path

import jinja2
import yaml

from insight import charts, metrics, store
from routes.tree import DecisionTree, load_tree
from routes.walker import fill

HERE = Path(__file__).parent
TEXTS: dict[str, dict[str, str]] = yaml.safe_load((HERE / "texts.yml").read_text(encoding="utf-8"))
DOMAIN = HERE.parent / "domain.yml"
DEFAULT_OUT = Path("results/report.html")


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31") from None


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def short_date(value: date) -> str:
    return f"{value.day} {value:%b}"


def period(first_day: date | None, last_day: date | None, insight: metrics.Insight) -> str:
    first = first_day or min(insight.per_day, default=None)
    last = last_day or max(insight.per_day, default=None)
    if first is None and last is None:
        return "at any time"
    if first is None:
        return f"up to {long_date(last)}"
    if last is None:
        return f"from {long_date(first)} on"
    return f"on {long_date(first)}" if first == last else f"from {long_date(first)} to {long_date(last)}"


def question_label(tree: DecisionTree, fact: str) -> str:
    """The question as the assistant asks it before it knows the nation or council."""
    known = tree.facts.get(fact)
    return fill(tree, known.question, {}) if known and known.question else fact


def _per_day_chart(insight: metrics.Insight) -> dict:
    text = TEXTS["per_day"]
    days = list(insight.per_day)
    counts = list(insight.per_day.values())
    busiest = max(days, key=lambda d: (insight.per_day[d], -d.toordinal()))
    return {
        "id": "per-day", "heading": text["heading"], "column": text["column"],
        "image": charts.columns([short_date(d) for d in days], counts, text["axis"]),
        "alt": text["alt"].format(first=long_date(days[0]), last=long_date(days[-1]), total=insight.conversations,
                                  most=insight.per_day[busiest], busiest=long_date(busiest)),
        "rows": [(long_date(d), n) for d, n in insight.per_day.items()],
    }


def _drop_off_chart(insight: metrics.Insight, tree: DecisionTree) -> dict:
    text = TEXTS["drop_off"]
    stopped = insight.conversations - insight.recommended
    chart = {"id": "drop-off", "heading": text["heading"], "intro": text["intro"], "column": text["column"]}
    if not stopped:
        return {**chart, "message": text["none"]}
    labels = [question_label(tree, q) for q in insight.drop_off]
    counts = list(insight.drop_off.values())
    rows = list(zip(labels, counts)) + [(text["before_any"], insight.left_before_any_question)]
    if not any(counts):
        return {**chart, "rows": rows}
    return {
        **chart, "rows": rows,
        "image": charts.rows(labels, counts, text["axis"]),
        "alt": text["alt"].format(stopped=stopped, most=max(counts), top=_most(labels, counts)),
    }


def _routes_chart(insight: metrics.Insight, tree: DecisionTree) -> dict:
    text = TEXTS["routes"]
    chart = {"id": "routes", "heading": text["heading"], "intro": text["intro"], "column": text["column"]}
    if not insight.routes:
        return {**chart, "message": text["none"]}
    labels = [tree.routes.get(route, route) for route in insight.routes]
    counts = list(insight.routes.values())
    return {
        **chart, "rows": list(zip(labels, counts)),
        "image": charts.rows(labels, counts, text["axis"]),
        "alt": text["alt"].format(most=counts[0], total=insight.recommended, top=_most(labels, counts)),
    }


def _most(labels: list[str], counts: list[int]) -> str:
    """The labels with the highest count, quoted, in order: "a" and "b"."""
    top = [f'"{label}"' for label, count in zip(labels, counts) if count == max(counts)]
    return " and ".join([", ".join(top[:-1]), top[-1]] if len(top) > 1 else top)


def render(insight: metrics.Insight, leads: int | None, tree: DecisionTree, shown_period: str,
           generated: datetime, store_name: str) -> str:
    """The report as one HTML page; everything from the data is escaped (autoescape)."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True,
                                     undefined=jinja2.StrictUndefined)
    charts_shown: list[dict] = []
    if insight.conversations:
        charts_shown = [_per_day_chart(insight), _drop_off_chart(insight, tree), _routes_chart(insight, tree)]
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    return environment.get_template("report.html.j2").render(
        insight=insight, leads=leads, charts=charts_shown, period=shown_period, store=store_name,
        generated=f"{long_date(generated.date())} at {generated:%H:%M} UTC",
        session_minutes=domain["session_config"]["session_expiration_time"],
        median_turns="–" if insight.median_turns is None else f"{insight.median_turns:g}",
        percent=lambda share: f"{share:.0%}",
        question_label=lambda fact: question_label(tree, fact),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m insight.report", description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first_day", type=day, help="first day (UTC), YYYY-MM-DD")
    parser.add_argument("--to", dest="last_day", type=day, help="last day (UTC), YYYY-MM-DD, included")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the HTML file (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if args.first_day and args.last_day and args.first_day > args.last_day:
        parser.error(f"--from {args.first_day} is after --to {args.last_day}")

    tree = load_tree()
    url = store.tracker_store_url()
    try:
        with store.reading(store.read_only_engine(url)) as connection:
            events = store.load_events(connection, args.first_day, args.last_day)
        leads_url = store.leads_url()
        with store.reading(store.read_only_engine(leads_url, "leads database"), "leads database") as connection:
            leads = store.count_leads(connection, args.first_day, args.last_day)
    except store.StoreError as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    found = metrics.within(metrics.conversations(events), args.first_day, args.last_day)
    insight = metrics.summarise(found, tree.asked_facts, args.first_day, args.last_day)
    shown_period = period(args.first_day, args.last_day, insight)
    html = render(insight, leads, tree, shown_period, datetime.now(timezone.utc), store.shown(url))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    print(f"Report written to {args.out.resolve()}: {insight.conversations} conversations {shown_period}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
