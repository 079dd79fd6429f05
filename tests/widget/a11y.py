"""Accessibility checks run inside the page: axe-core (from npm) and target sizes."""
from __future__ import annotations

import json
from pathlib import Path

from tests.widget.chat import ROOT

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def axe_violations(page, axe_source: str, report: Path) -> list[dict]:
    """Run axe-core on the whole page (it audits open shadow roots too); save the report.

    Returns the serious and critical violations.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        AXE_TAGS,
    )
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(result["violations"], indent=2))
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in BLOCKING
    ]


def small_targets(page, minimum: int = 24) -> list[dict]:
    """Visible buttons, links and inputs in the widget smaller than minimum x minimum CSS px."""
    return page.evaluate(
        f"""(minimum) => Array.from({ROOT}.querySelectorAll('button, a[href], input'))
            .map((el) => {{ const r = el.getBoundingClientRect();
                return {{name: el.getAttribute('aria-label') || el.textContent.trim() || el.id,
                        width: r.width, height: r.height, visible: r.width > 0 && r.height > 0}}; }})
            .filter((t) => t.visible && (t.width < minimum || t.height < minimum))""",
        minimum,
    )


def sideways_overflow(page, width: int) -> list[str]:
    """What makes a `width` px wide screen scroll sideways: the page, or widget elements wider than it."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth]")
    problems = [f"page scrolls sideways: {widths}"] if max(widths) > width else []
    return problems + page.evaluate(
        f"""(width) => Array.from({ROOT}.querySelectorAll('*'))
            .filter((el) => {{ const r = el.getBoundingClientRect(); return r.width && (r.left < -1 || r.right > width + 1); }})
            .map((el) => String(el.className || el.tagName))""", width)
