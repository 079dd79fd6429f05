"""The benchmark's tables (Markdown, printed and written to docs/benchmarks.md) and the machine."""
from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import string
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy

from bench.visitors import Tally

TEMPLATE = Path(__file__).with_name("benchmarks.md.in")
# The targets for ours against the reference, measured in the same run.
P50_RATIO_AT_MOST = 0.6
THROUGHPUT_RATIO_AT_LEAST = 1.5
THROUGHPUT_TARGET_VISITORS = 20


@dataclass
class Cell:
    """One bot, channel and number of visitors, summed over the rounds."""

    tally: Tally = field(default_factory=Tally)
    peak_rss_mb: Dict[str, float] = field(default_factory=dict)  # per process, the highest of the rounds
    cpu_seconds: Dict[str, float] = field(default_factory=dict)  # per process, over all rounds
    throughputs: List[float] = field(default_factory=list)  # per round: how much noise moved it

    def record(self, tally: Tally, peaks: Dict[str, float], cpu: Dict[str, float]) -> None:
        self.tally.add(tally)
        self.throughputs.append(tally.messages / tally.elapsed if tally.elapsed else 0.0)
        for process, peak in peaks.items():
            self.peak_rss_mb[process] = max(peak, self.peak_rss_mb.get(process, 0.0))
        for process, seconds in cpu.items():
            self.cpu_seconds[process] = self.cpu_seconds.get(process, 0.0) + seconds

    def percentile_ms(self, q: float) -> Optional[float]:
        return float(numpy.percentile(self.tally.latencies, q)) * 1000 if self.tally.latencies else None

    @property
    def throughput(self) -> float:
        return self.tally.messages / self.tally.elapsed if self.tally.elapsed else 0.0

    def cpu_ms_per_message(self, process: str) -> Optional[float]:
        if process not in self.cpu_seconds or not self.tally.messages:
            return None
        return self.cpu_seconds[process] * 1000 / self.tally.messages


Key = Tuple[str, str, int]  # bot, channel, visitors
PROCESSES = ("rasa", "actions")
SERVERS_AND_VISITORS = PROCESSES + ("visitors",)


def _number(value: Optional[float], digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _errors(tally: Tally) -> str:
    if not tally.errors:
        return "0"
    return ", ".join(f"{count} {kind}" for kind, count in tally.errors.most_common())


def results_table(cells: Dict[Key, Cell]) -> str:
    lines = [
        "| channel | visitors | bot | messages | p50 ms | p95 ms | p99 ms | messages/s | per round | errors "
        "| peak RSS MB Rasa | peak RSS MB actions | CPU ms/message Rasa | CPU ms/message actions "
        "| CPU ms/message visitors |",
        "|---|--:|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|",
    ]
    for (bot, channel, visitors), cell in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        lines.append("| " + " | ".join([
            channel, str(visitors), bot, str(cell.tally.messages),
            _number(cell.percentile_ms(50)), _number(cell.percentile_ms(95)), _number(cell.percentile_ms(99)),
            _number(cell.throughput, 1), " / ".join(_number(t, 1) for t in cell.throughputs), _errors(cell.tally),
            *(_number(cell.peak_rss_mb.get(p)) for p in PROCESSES),
            *(_number(cell.cpu_ms_per_message(p), 1) for p in SERVERS_AND_VISITORS),
        ]) + " |")
    return "\n".join(lines)


def _verdict(ratio: Optional[float], holds) -> str:
    if ratio is None:
        return "–"
    return f"{ratio:.2f}× {'✓' if holds(ratio) else '✗'}"


def ratios_table(cells: Dict[Key, Cell]) -> str:
    lines = [
        f"| channel | visitors | p50 ours / reference (target ≤ {P50_RATIO_AT_MOST}×) "
        f"| throughput ours / reference (target ≥ {THROUGHPUT_RATIO_AT_LEAST}× at {THROUGHPUT_TARGET_VISITORS}) "
        "| servers' CPU per message ours / reference |",
        "|---|--:|--:|--:|--:|",
    ]
    for channel, visitors in sorted({(c, v) for _, c, v in cells}):
        ours, reference = cells.get(("ours", channel, visitors)), cells.get(("reference", channel, visitors))
        if ours is None or reference is None:
            continue
        p50s = ours.percentile_ms(50), reference.percentile_ms(50)
        p50 = p50s[0] / p50s[1] if None not in p50s else None
        throughput = ours.throughput / reference.throughput if reference.throughput else None
        if visitors == THROUGHPUT_TARGET_VISITORS:
            throughput_cell = _verdict(throughput, lambda r: r >= THROUGHPUT_RATIO_AT_LEAST)
        else:
            throughput_cell = _number(throughput, 2) + "×" if throughput is not None else "–"
        cpu = [sum(cell.cpu_ms_per_message(p) or 0.0 for p in PROCESSES) for cell in (ours, reference)]
        cpu_cell = f"{cpu[0] / cpu[1]:.2f}×" if cpu[1] else "–"
        lines.append(f"| {channel} | {visitors} | {_verdict(p50, lambda r: r <= P50_RATIO_AT_MOST)} "
                     f"| {throughput_cell} | {cpu_cell} |")
    return "\n".join(lines)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown")
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal:"))
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip() or "unknown"
    return "\n".join([
        f"- CPU: {model}, {os.cpu_count()} cores",
        f"- RAM: {memory_kb / 1024 / 1024:.1f} GiB",
        f"- {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"Rasa {importlib.metadata.version('rasa')}, rasa-sdk {importlib.metadata.version('rasa-sdk')}",
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, commit {commit}",
    ])


def document(cells: Dict[Key, Cell], settings: str, took: str) -> str:
    return string.Template(TEMPLATE.read_text()).substitute(
        machine=machine(), settings=settings, took=took,
        results=results_table(cells), ratios=ratios_table(cells))
