"""`python -m benchmarks [--quick] [--json FILE [--merge]] [SUITE...]`: all suites or some."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    bench_attachments,
    bench_channels,
    bench_deadlines,
    bench_engine,
    bench_inbox,
    bench_modeler,
    bench_reports,
    bench_selftest,
    bench_simulation,
    bench_steps,
    bench_versions,
    bench_web,
    bench_workers,
)
from benchmarks.report import REPORT

SUITES: dict[str, Callable[[], None]] = {
    "engine": bench_engine.main,
    "steps": bench_steps.main,
    "deadlines": bench_deadlines.main,
    "web": bench_web.main,
    "workers": bench_workers.main,
    "selftest": bench_selftest.main,
    "channels": bench_channels.main,
    "versions": bench_versions.main,
    "reports": bench_reports.main,
    "simulation": bench_simulation.main,
    "modeler": bench_modeler.main,
    "attachments": bench_attachments.main,
    "inbox": bench_inbox.main,
}


def parse_args() -> argparse.Namespace:
    """The suites named on the command line (all of them by default), --quick and --json."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    names = ", ".join(SUITES)
    parser.add_argument("suites", nargs="*", metavar="SUITE", help=f"{names} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a usable run")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure here")
    parser.add_argument(
        "--merge", action="store_true", help="with --json: keep FILE's figures of other suites"
    )
    args = parser.parse_args()
    unknown = sorted(set(args.suites) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; choose from {names}")
    args.suites = args.suites or list(SUITES)
    return args


def main() -> None:
    """Run the chosen suites, each under a heading with its duration; then the summary."""
    args = parse_args()
    REPORT.quick = args.quick
    for name in args.suites:
        print(f"### {name}")
        REPORT.begin(name)
        began = time.perf_counter()
        SUITES[name]()
        took = time.perf_counter() - began
        REPORT.setting(name, seconds=round(took, 1))
        print(f"### {name}: {took:.1f} s\n")
    REPORT.print_table()
    if args.json is not None:
        REPORT.write(args.json, merge=args.merge)
        print(f"  written to {args.json}")


if __name__ == "__main__":
    main()
