"""`python -m benchmarks [engine|deadlines|web|workers]`: run every benchmark, or the ones named."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

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
    bench_versions,
    bench_web,
    bench_workers,
)

SUITES: dict[str, Callable[[], None]] = {
    "engine": bench_engine.main,
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


def parse_args() -> list[str]:
    """The suites named on the command line, all of them by default."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    names = ", ".join(SUITES)
    parser.add_argument("suites", nargs="*", metavar="SUITE", help=f"{names} (default: all)")
    chosen = parser.parse_args().suites
    unknown = sorted(set(chosen) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; choose from {names}")
    return chosen or list(SUITES)


def main() -> None:
    """Run the chosen suites, each under a heading with its duration."""
    for name in parse_args():
        print(f"### {name}")
        began = time.perf_counter()
        SUITES[name]()
        print(f"### {name}: {time.perf_counter() - began:.1f} s\n")


if __name__ == "__main__":
    main()
