"""`make bench`: our stack and the `rasa init` reference bot under the same simulated visitors.

Both run side by side for the whole run, and the phases alternate between them (ours, then the
reference, at each channel and number of visitors; the next round in the other order), so noise
on the machine falls on both. Run `python -m bench --help` for the options; BENCH_QUICK=1 makes a
short run that prints its tables without replacing docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

from bench import reference
from bench.processes import Watched, listening_pid
from bench.report import Cell, Key, document, ratios_table, results_table
from bench.visitors import Bot, Moodbot, RouteAdvisor, Tally, each_conversation_once, load
from tests.support.servers import REPO_ROOT, running_assistant

LOG_DIR = REPO_ROOT / "build" / "bench"
DOC = REPO_ROOT / "docs" / "benchmarks.md"
CHANNELS = ("rest", "socketio")
UNLIMITED = {"RATE_LIMIT_VISITOR": "0", "RATE_LIMIT_IP": "0"}
# Set these to bench on PostgreSQL and Redis; unset, conversations go to a SQLite file in LOG_DIR.
STORES = ("TRACKER_STORE_URL", "LOCK_STORE_URL")


def our_environment() -> Dict[str, str]:
    """The channels' rate limits off (they would turn a load test into a test of the rate limit),
    and the stores named in this environment, if any."""
    return {**UNLIMITED, **{name: os.environ[name] for name in STORES if os.environ.get(name)}}


def stores() -> str:
    shown = [f"{name.split('_')[0].lower()} store {os.environ[name].split('://')[0]}"
             for name in STORES if os.environ.get(name)]
    return "; ".join(shown) or "SQLite tracker store file, in-memory lock store"


def arguments(argv: List[str]) -> argparse.Namespace:
    quick = os.environ.get("BENCH_QUICK") == "1"
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", default="1,20" if quick else "1,20,100",
                        help="numbers of visitors at once, comma-separated (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=5 if quick else 8,
                        help="how long each phase starts new messages (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=1 if quick else 3, help="default %(default)s")
    parser.add_argument("--channels", default=",".join(CHANNELS), help="default %(default)s")
    parser.add_argument("--bots", default="ours,reference", help="default %(default)s")
    parser.add_argument("--timeout", type=float, default=60, help="seconds a message may take (default %(default)s)")
    parser.add_argument("--out", type=Path, help=f"Markdown file for the tables (default: "
                        f"{DOC.relative_to(REPO_ROOT)} after a run of both bots on both channels, not quick)")
    args = parser.parse_args(argv)
    args.visitors = [int(n) for n in args.visitors.split(",")]
    args.channels = args.channels.split(",")
    args.bots = args.bots.split(",")
    if not set(args.bots) <= {"ours", "reference"} or not set(args.channels) <= set(CHANNELS):
        parser.error(f"bots are ours and reference, channels {' and '.join(CHANNELS)}")
    whole = set(args.bots) == {"ours", "reference"} and set(args.channels) == set(CHANNELS)
    if args.out is None and whole and not quick:
        args.out = DOC
    return args


def phases(args: argparse.Namespace):
    for round_number in range(args.rounds):
        for visitors in args.visitors:
            for channel in args.channels:
                bots = args.bots if round_number % 2 == 0 else list(reversed(args.bots))
                for bot in bots:
                    yield round_number, visitors, channel, bot


def own_cpu_seconds() -> float:
    """The visitors' CPU time: they share the cores with the servers."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(bot: Bot, processes: List[Watched], channel: str, visitors: int, args) -> tuple:
    for process in processes:
        process.reset_peak()
    cpu_before = {p.name: p.cpu_seconds() for p in processes}
    visitors_before = own_cpu_seconds()
    tally = load(bot, channel, visitors, args.seconds, args.timeout)
    peaks = {p.name: p.peak_rss_mb() for p in processes}
    cpu = {p.name: p.cpu_seconds() - cpu_before[p.name] for p in processes}
    cpu["visitors"] = own_cpu_seconds() - visitors_before
    return tally, peaks, cpu


def summary(tally: Tally) -> str:
    p50 = statistics.median(tally.latencies) * 1000 if tally.latencies else float("nan")
    errors = sum(tally.errors.values())
    return (f"{tally.messages} messages, p50 {p50:.0f} ms, {tally.messages / tally.elapsed:.1f}/s, "
            f"{errors} errors {dict(tally.errors) if errors else ''}"
            + "".join(f"\n    {example}" for example in tally.examples))


def main(argv: List[str]) -> int:
    args = arguments(argv)
    started, load_before = time.monotonic(), os.getloadavg()[0]
    shutil.rmtree(LOG_DIR, ignore_errors=True)
    LOG_DIR.mkdir(parents=True)
    if "reference" in args.bots:
        reference.ensure_trained()
    cells: Dict[Key, Cell] = {}
    with contextlib.ExitStack() as servers:
        bots: Dict[str, tuple] = {}
        if "reference" in args.bots:  # loads while ours starts
            reference_server = servers.enter_context(reference.serving(LOG_DIR))
        if "ours" in args.bots:
            ours = servers.enter_context(running_assistant(log_dir=LOG_DIR, env=our_environment()))
            bots["ours"] = (RouteAdvisor(ours.rasa_url), [
                Watched("rasa", listening_pid(ours.rasa_port)), Watched("actions", listening_pid(ours.actions_port))])
        if "reference" in args.bots:
            reference_server.wait_until_up()
            bots["reference"] = (Moodbot(reference_server.url, reference.REFERENCE_DIR), [
                Watched("rasa", listening_pid(reference_server.port))])
        for name in args.bots:
            print(f"{name}: " + ", ".join(f"{p.name} pid {p.pid}" for p in bots[name][1]), flush=True)
        for name in args.bots:
            for channel in args.channels:
                warm = each_conversation_once(bots[name][0], channel, args.timeout)
                if warm.errors:
                    print(f"warning: {name} over {channel} did not follow its script: {summary(warm)}")
        for round_number, visitors, channel, name in phases(args):
            bot, processes = bots[name]
            tally, peaks, cpu = measure(bot, processes, channel, visitors, args)
            cells.setdefault((name, channel, visitors), Cell()).record(tally, peaks, cpu)
            print(f"round {round_number + 1}/{args.rounds}  {channel:8} {visitors:3} visitors  "
                  f"{name:9}  (load {os.getloadavg()[0]:.1f})  {summary(tally)}", flush=True)
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    took = f"{minutes} min {seconds} s"
    print()
    print(results_table(cells))
    print()
    print(ratios_table(cells))
    print(f"\nThe run took {took}; servers' logs in {LOG_DIR.relative_to(REPO_ROOT)}/.")
    if args.out:
        settings = (f"{', '.join(map(str, args.visitors))} visitors at once; {args.rounds} round(s) of "
                    f"{args.seconds:g} s phases; channels {', '.join(args.channels)}; timeout {args.timeout:g} s; "
                    f"ours with {stores()}; "
                    f"load average (1 min) {load_before:.1f} before the run, so other work on the machine shows")
        args.out.write_text(document(cells, settings, took))
        print(f"Written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
