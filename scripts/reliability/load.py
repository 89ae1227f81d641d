"""Bounded load from a second process: `python -m scripts.reliability.load --base-url URL ...`.

`clients` concurrent loops, each repeating create -> get (one of its tasks) -> list page 1 for
`duration` seconds, on one keep-alive connection each. Prints one JSON object: per-operation
counts, statuses, p50/p99 latency (ms), throughput and every acknowledged task id, so the caller
can check nothing was lost. Measures only; the caller decides what must hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from scripts.loopback_env import loopback_only_environment, use_loopback_only_environment
from scripts.reliability.common import HEADERS, PATH, median, percentile


@dataclass
class LoadStats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[str] = field(default_factory=Counter)
    transport_errors: int = 0
    created: list[str] = field(default_factory=list)

    def timed(self, operation: str, started: float, status: int) -> None:
        self.latencies[operation].append((time.perf_counter() - started) * 1000)
        self.statuses[f"{operation} {status}"] += 1


async def _client_loop(base_url: str, stop_at: float, stats: LoadStats) -> None:
    mine: list[str] = []
    async with httpx.AsyncClient(
        base_url=base_url, headers=HEADERS, timeout=30, trust_env=False
    ) as client:
        while time.monotonic() < stop_at:
            try:
                started = time.perf_counter()
                response = await client.post(PATH, json={"prompt": "load", "n": 2})
                stats.timed("create", started, response.status_code)
                if response.status_code == 200:
                    mine.append(response.json()["data"]["task_id"])
                    stats.created.append(mine[-1])
                if mine:
                    started = time.perf_counter()
                    response = await client.get(f"{PATH}/{random.choice(mine)}")
                    stats.timed("get", started, response.status_code)
                started = time.perf_counter()
                response = await client.get(PATH, params={"pageSize": 30})
                stats.timed("list", started, response.status_code)
            except httpx.HTTPError:
                stats.transport_errors += 1


async def run_load(base_url: str, clients: int, duration: float) -> dict[str, Any]:
    stats = LoadStats()
    started = time.monotonic()
    stop_at = started + duration
    await asyncio.gather(*(_client_loop(base_url, stop_at, stats) for _ in range(clients)))
    elapsed = time.monotonic() - started
    requests = sum(len(values) for values in stats.latencies.values())
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": requests,
        "throughput_rps": round(requests / elapsed, 1),
        "server_errors": sum(n for key, n in stats.statuses.items() if key.split()[1] >= "500"),
        "transport_errors": stats.transport_errors,
        "statuses": dict(stats.statuses),
        "latency_ms": {
            op: {"count": len(v), "p50": round(median(v), 2), "p99": round(percentile(v, 0.99), 2)}
            for op, v in stats.latencies.items()
        },
        "created": stats.created,
    }


def load_in_subprocess(base_url: str, clients: int, duration: float) -> dict[str, Any]:
    """Run the load as a second process (its own interpreter and event loop) and parse its JSON."""
    command = [sys.executable, "-m", "scripts.reliability.load", "--base-url", base_url,
               "--clients", str(clients), "--duration", str(duration)]  # fmt: skip
    result = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
        timeout=duration + 120,
        env=loopback_only_environment(),
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args(argv)
    use_loopback_only_environment()
    print(json.dumps(asyncio.run(run_load(args.base_url, args.clients, args.duration))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
