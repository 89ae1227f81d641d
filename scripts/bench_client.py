"""Per-call overhead of the generated client (and omni_client.calls) against raw httpx.

`make bench-client`. A tiny ASGI app on a loopback port serves canned answers: a create answer
(task `submitted`) and a get answer with 9 watermarked results. For each operation the same
request is made with raw httpx (`client.post/get` + `response.json()`), with the generated
`sync_detailed` (body `to_dict`, parsing into attrs models) and with `omni_client.calls` (which
adds the typed error mapping). All three use the same `KlingJWTAuth` and run interleaved in the
same process, so machine noise hits them alike; the result is a ratio against raw httpx.
Writes its section of benchmarks/results.md (between `<!-- bench: client -->` markers).
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from omni_image_client import Client
from omni_image_client.api.omni_image import create_task as generated_create
from omni_image_client.api.omni_image import get_task as generated_get
from omni_image_client.models import CreateTaskRequest

from omni_client import calls
from omni_client.auth import KlingJWTAuth
from omni_client.factory import DEV_ACCESS_KEY, DEV_SECRET_KEY
from scripts.bench_results import RESULTS_FILE, write_section
from scripts.loopback_env import use_loopback_only_environment

SECTION = "client"
STARTUP_SECONDS = 10.0
GOAL_RATIO = 1.3
ROUNDS = 7
CALLS_PER_ROUND = 150
WARMUP_CALLS = 50
TASK_ID = "860912345678901234"
CREATE_BODY = {"prompt": "A lighthouse on a cliff at dawn, watercolour", "n": 9}


def canned_task(status: str, results: int) -> dict[str, Any]:
    """A task object with `results` watermarked items."""
    images = [
        {
            "index": index,
            "url": f"http://127.0.0.1/results/{TASK_ID}/{index}.png",
            "watermark_url": f"http://127.0.0.1/results/{TASK_ID}/{index}-wm.png",
        }
        for index in range(results)
    ]
    return {
        "task_id": TASK_ID,
        "task_status": status,
        "task_status_msg": "",
        "task_info": {"external_task_id": None},
        "task_result": {"result_type": "single", "images": images, "series_images": []},
        "watermark_info": {"enabled": True},
        "final_unit_deduction": "9",
        "created_at": 1795700000000,
        "updated_at": 1795700004200,
    }


def _envelope(task: dict[str, Any]) -> bytes:
    return json.dumps(
        {"code": 0, "message": "SUCCEED", "request_id": "bench", "data": task}
    ).encode()


CREATED = _envelope(canned_task("submitted", 0))
SUCCEEDED = _envelope(canned_task("succeed", 9))


async def canned_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """ASGI app: POST answers the created task, GET the finished task with 9 results."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    body = CREATED if scope["method"] == "POST" else SUCCEEDED
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextmanager
def serve_canned() -> Iterator[str]:
    """Run the canned app on a free loopback port in a thread; yield its base URL."""
    config = uvicorn.Config(
        canned_app, host="127.0.0.1", port=0, log_level="error", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(10)
            raise SystemExit(
                f"bench-client: the canned uvicorn server did not start within"
                f" {STARTUP_SECONDS:g} s (see its log above)"
            )
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def per_call_seconds(call: Callable[[], object], count: int) -> float:
    """Mean wall time of `count` calls."""
    start = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - start) / count


def measure(variants: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median over interleaved rounds of the per-call time of each variant."""
    for call in variants.values():
        per_call_seconds(call, WARMUP_CALLS)
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(ROUNDS):
        for name, call in variants.items():
            samples[name].append(per_call_seconds(call, CALLS_PER_ROUND))
    return {name: statistics.median(values) for name, values in samples.items()}


def _canned_handler(request: httpx.Request) -> httpx.Response:
    body = CREATED if request.method == "POST" else SUCCEEDED
    return httpx.Response(200, content=body, headers={"content-type": "application/json"})


def run_benchmark(
    base_url: str, transport: httpx.BaseTransport | None = None
) -> dict[str, dict[str, float]]:
    """Per-call seconds for create and get, for raw httpx, generated and omni_client.calls."""
    auth = KlingJWTAuth(DEV_ACCESS_KEY, DEV_SECRET_KEY)
    raw = httpx.Client(base_url=base_url, auth=auth, transport=transport, trust_env=False)
    generated = Client(
        base_url=base_url,
        httpx_args={"auth": auth, "transport": transport, "trust_env": False},
    )
    body = CreateTaskRequest.from_dict(CREATE_BODY)
    path = f"/v1/images/omni-image/{TASK_ID}"
    try:
        create = measure(
            {
                "raw": lambda: raw.post("/v1/images/omni-image", json=CREATE_BODY).json(),
                "generated": lambda: generated_create.sync_detailed(client=generated, body=body),
                "calls": lambda: calls.create_task(generated, body),
            }
        )
        get = measure(
            {
                "raw": lambda: raw.get(path).json(),
                "generated": lambda: generated_get.sync_detailed(TASK_ID, client=generated),
                "calls": lambda: calls.get_task(generated, TASK_ID),
            }
        )
    finally:
        raw.close()
        generated.get_httpx_client().close()
    return {"create": create, "get (9 results)": get}


def _table(results: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        "| operation | raw httpx (µs/call) | generated (µs/call) | ratio | omni_client.calls"
        " (µs/call) | ratio | goal met |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for operation, times in results.items():
        ratio = times["generated"] / times["raw"]
        calls_ratio = times["calls"] / times["raw"]
        lines.append(
            f"| {operation} | {times['raw'] * 1e6:.0f} | {times['generated'] * 1e6:.0f}"
            f" | {ratio:.2f}x | {times['calls'] * 1e6:.0f} | {calls_ratio:.2f}x"
            f" | {'yes' if ratio <= GOAL_RATIO else 'no'} |"
        )
    return lines


def render_section(
    loopback: dict[str, dict[str, float]], in_process: dict[str, dict[str, float]]
) -> str:
    """The markdown section (write_section adds the markers)."""
    lines = [
        "### Client overhead (`make bench-client`)",
        "",
        f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')},"
        f" Python {platform.python_version()},"
        f" httpx {httpx.__version__}, {platform.machine()}. Canned answers from a loopback ASGI app"
        f" (uvicorn, same process); median of {ROUNDS} interleaved rounds of {CALLS_PER_ROUND}"
        " calls each, same `KlingJWTAuth` for all. Ratio = time per call / raw httpx"
        f" (`post`/`get` + `.json()`); goal: generated client within {GOAL_RATIO}x.",
        "",
        "Loopback (the goal):",
        "",
        *_table(loopback),
        "",
        "In process (`httpx.MockTransport`, no socket): the client-side cost alone, where"
        " parsing into attrs models is not hidden by the network. Informational.",
        "",
        *_table(in_process),
    ]
    return "\n".join(lines)


def main() -> int:
    """Run, print and record the benchmark."""
    use_loopback_only_environment()
    with serve_canned() as base_url:
        loopback = run_benchmark(base_url)
    in_process = run_benchmark(
        "http://127.0.0.1:8000", transport=httpx.MockTransport(_canned_handler)
    )
    section = render_section(loopback, in_process)
    print(section)
    write_section(SECTION, section)
    print(f"wrote {RESULTS_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
