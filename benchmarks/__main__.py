"""`make bench`: every benchmark in this folder, each a ratio against a bare baseline in the same run,
then one line `BENCH {json}` with all the figures."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

MODULES = [
    "benchmarks.storage",
    "benchmarks.crawl",
    "benchmarks.scaleout",
    "benchmarks.extraction",
    "benchmarks.nlp",
    "benchmarks.stories",
    "benchmarks.datasette",
    "benchmarks.demo_10k",
]


def main() -> None:
    figures: dict = {}
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            print(f"{name}: not there yet, skipped")
            continue
        print(f"\n== {name}", flush=True)
        output = subprocess.run([sys.executable, "-m", name], capture_output=True, text=True)
        print(output.stdout, end="")
        if output.returncode:
            print(output.stderr[-2000:], file=sys.stderr)
            figures[name.split(".")[-1] + "_error"] = output.returncode
        for line in output.stdout.splitlines():
            if line.startswith("BENCH "):
                figures.update(json.loads(line[6:]))
    print("BENCH " + json.dumps(figures))


if __name__ == "__main__":
    main()
