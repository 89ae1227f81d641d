"""`make bench-server`: reference-server performance as ratios against baselines of the same run.

1. create throughput vs a bare Starlette constant-JSON endpoint under the same uvicorn settings
   (goal >= 40%) and vs Stoplight Prism's mock of the same openapi.yaml (goal >= 20x), under wrk.
2. list latency, page 1, with 1,000,000 vs 1,000 stored tasks (goal within 1.5x).
3. validating ten 10 MB Base64 reference images vs plain base64 decoding (goal within 1.5x).
4. peak RSS of the server process (VmHWM).
Writes the `<!-- bench: server -->` section of benchmarks/results.md. Bounded to a few minutes.
"""

from __future__ import annotations

import base64
import datetime
import io
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import anyio
import httpx
import psutil
from PIL import Image

from omni_spec import load_contract
from reference_server.config import DEV_ACCESS_KEY, DEV_API_KEY, ServerSettings
from reference_server.launcher import start_reference_server
from reference_server.store import TaskRecord
from reference_server.store_sqlite import SqliteTaskStore
from reference_server.task_creation import TaskCreator
from reference_server.task_ids import TaskIdGenerator
from scripts.bench_results import write_section
from scripts.loopback_env import loopback_only_environment, use_loopback_only_environment
from scripts.reliability.common import peak_rss_since_start

ROOT = Path(__file__).resolve().parent.parent
SECTION = "server"
AUTH = {"Authorization": f"Bearer {DEV_API_KEY}"}
PATH = load_contract().operation("create_task")[1]
LOAD_SECONDS = 5.0
CONCURRENCY = 16

BARE_APP = textwrap.dedent(
    """
    import socket, sys, uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route
    BODY = b'{"code":0,"message":"SUCCEED","request_id":"x","data":{"task_id":"1"}}'
    async def endpoint(request):
        await request.body()
        return Response(BODY, media_type="application/json")
    app = Starlette(routes=[Route(sys.argv[1], endpoint, methods=["POST"])])
    sock = socket.socket(); sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0)); sock.listen(2048)
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, log_level="warning", server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
    """
)


WRK_SCRIPT = textwrap.dedent(
    """
    wrk.method = "POST"
    wrk.body = '{"prompt": "a lighthouse on a cliff at dawn", "n": 2}'
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer API_KEY"
    """
).replace("API_KEY", DEV_API_KEY)
PRISM = ROOT / "node_modules" / ".bin" / "prism"


def _wrk(url: str, seconds: float) -> float:
    """Requests per second that `wrk` (one thread, CONCURRENCY connections) gets from url."""
    return wrk_run(url, seconds)[0]


def wrk_run(url: str, seconds: float) -> tuple[float, int]:
    """(requests per second, requests answered) of `wrk` (one thread, CONCURRENCY connections).

    wrk, a C load tool, runs as a second process so that the load generator costs far less CPU
    than the server it measures (a Python load client caps every server at its own speed).
    """
    if shutil.which("wrk") is None:
        raise SystemExit("bench-server needs `wrk` (Debian package wrk; `make bench-tools`)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{seconds:g}s", "-s", script.name, url]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, env=loopback_only_environment()
    ).stdout
    Path(script.name).unlink()
    if "Non-2xx" in output:
        raise SystemExit(f"load on {url} got non-2xx answers:\n{output}")
    match = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    count = re.search(r"([0-9]+) requests in", output)
    if match is None or count is None:
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    return float(match.group(1)), int(count.group(1))


def _measure(url: str) -> float:
    _wrk(url, 1.0)  # warm-up
    return _wrk(url, LOAD_SECONDS)


def _port_from_stdout(process: subprocess.Popen[str]) -> int:
    assert process.stdout is not None
    return int(process.stdout.readline())


def create_throughput() -> tuple[float, float, int]:
    bare = subprocess.Popen(
        [sys.executable, "-c", BARE_APP, PATH],
        stdout=subprocess.PIPE,
        text=True,
        env=loopback_only_environment(),
    )
    try:
        bare_rps = _measure(f"http://127.0.0.1:{_port_from_stdout(bare)}{PATH}")
    finally:
        bare.terminate()
        bare.wait()
    with start_reference_server(step_delay=3600) as server:
        server_rps = _measure(server.base_url + PATH)
        rss = peak_rss_since_start(server.process.pid)
    return bare_rps, server_rps, rss


def prism_throughput() -> float:
    """Create throughput of Stoplight Prism's mock serving the same openapi.yaml."""
    if not PRISM.exists():
        raise SystemExit("bench-server needs Stoplight Prism in node_modules (`npm ci`)")
    port = _free_port()
    prism = subprocess.Popen(
        [
            str(PRISM),
            "mock",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "--errors",
            str(ROOT / "openapi.yaml"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=loopback_only_environment(),
    )
    try:
        url = f"http://127.0.0.1:{port}{PATH}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.post(url, json={"prompt": "x"}, headers=AUTH, timeout=2, trust_env=False)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or prism.poll() is not None:
                    raise SystemExit("Prism did not start") from None
                time.sleep(0.3)
        return _measure(url)
    finally:
        prism.terminate()
        prism.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _fill(database: Path, count: int) -> None:
    store = SqliteTaskStore(database)
    ids = TaskIdGenerator(None)
    base = int(time.time() * 1000) - count

    def records() -> object:
        for i in range(count):
            created = base + i
            yield TaskRecord(
                ids.next_id(created), DEV_ACCESS_KEY, None, "succeed", "", "single", 1, 1024,
                1024, 1048576, False, None, None, "1", created, created,
            )  # fmt: skip

    store.insert_many(records())  # type: ignore[arg-type]
    store.close()


def _list_latency(database: Path, rounds: int = 300) -> tuple[float, int]:
    with (
        start_reference_server(database=database, step_delay=3600) as server,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        url = server.base_url + PATH
        for _ in range(30):
            client.get(url)
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200 and len(response.json()["data"]) == 30
        return statistics.median(samples), peak_rss_since_start(server.process.pid)


def list_latency(scratch: Path) -> tuple[float, float, int]:
    small, large = scratch / "small.sqlite3", scratch / "large.sqlite3"
    _fill(small, 1_000)
    _fill(large, 1_000_000)
    small_latency, _ = _list_latency(small)
    large_latency, rss = _list_latency(large)
    return small_latency, large_latency, rss


def _ten_images() -> list[str]:
    images = []
    for seed in range(10):
        buffer = io.BytesIO()
        Image.new("RGB", (1200, 900), (seed * 20, 80, 160)).save(buffer, format="PNG")
        data = buffer.getvalue()
        data += bytes([seed]) * (10 * 1024 * 1024 - len(data))
        images.append(base64.b64encode(data).decode())
    return images


def validation_cost(scratch: Path) -> tuple[float, float]:
    images = tuple(_ten_images())
    settings = ServerSettings(database=scratch / "validation.sqlite3")
    store = SqliteTaskStore(settings.database)
    downloads = httpx.AsyncClient(trust_env=False)  # unused: every image is Base64
    creator = TaskCreator(settings, store, TaskIdGenerator(None), downloads)

    def decode_only() -> None:
        for text in images:
            base64.b64decode(text, validate=True)

    def validate() -> None:
        sizes = anyio.run(creator.reference_sizes, images)
        assert len(sizes) == 10

    plain: list[float] = []
    ours: list[float] = []
    try:
        for _ in range(5):  # interleaved rounds, median
            for samples, run in ((plain, decode_only), (ours, validate)):
                started = time.perf_counter()
                run()
                samples.append(time.perf_counter() - started)
    finally:
        store.close()
        anyio.run(downloads.aclose)
    return statistics.median(plain), statistics.median(ours)


def main() -> int:
    use_loopback_only_environment()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="omni-bench-server-") as scratch_dir:
        scratch = Path(scratch_dir)
        print("create throughput ...", flush=True)
        bare_rps, server_rps, create_rss = create_throughput()
        print("Stoplight Prism mock throughput ...", flush=True)
        prism_rps = prism_throughput()
        print("list latency (filling 1,000,000 tasks) ...", flush=True)
        small, large, list_rss = list_latency(scratch)
        print("reference image validation ...", flush=True)
        plain, ours = validation_cost(scratch)
    with start_reference_server(step_delay=3600) as server:
        body = {"prompt": "x", "image_list": [{"image": image} for image in _ten_images()]}
        response = httpx.post(
            server.base_url + PATH, json=body, headers=AUTH, timeout=120, trust_env=False
        )
        assert response.status_code == 200, response.text[:300]
        big_rss = peak_rss_since_start(server.process.pid)
    mib = 1024 * 1024
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    create_ratio = server_rps / bare_rps
    prism_ratio = server_rps / prism_rps
    list_ratio = large / small
    validation_ratio = ours / plain
    text = f"""
### Reference server (`make bench-server`)

Run {now}, Python {platform.python_version()}, {platform.machine()}, {psutil.cpu_count()} CPUs.
Server and Starlette baseline run as uvicorn subprocesses (log level warning, one worker), Prism
as `prism mock openapi.yaml`; load from `wrk` (one thread, {CONCURRENCY} connections,
{LOAD_SECONDS:g} s per measurement after a 1 s warm-up). Every task the reference server
acknowledges is committed to SQLite (WAL) before the answer.

| measurement | baseline | reference server | ratio | goal | met |
|---|---:|---:|---:|---|---|
| create_task throughput (req/s) | bare Starlette constant JSON: {bare_rps:.0f} | {server_rps:.0f} | {create_ratio:.0%} | >= 40% | {"yes" if create_ratio >= 0.4 else "no"} |
| create_task throughput (req/s) | Stoplight Prism mock: {prism_rps:.0f} | {server_rps:.0f} | {prism_ratio:.1f}x | >= 20x | {"yes" if prism_ratio >= 20 else "no"} |
| list page 1 median latency (ms) | 1,000 tasks: {small * 1000:.2f} | 1,000,000 tasks: {large * 1000:.2f} | {list_ratio:.2f}x | <= 1.5x | {"yes" if list_ratio <= 1.5 else "no"} |
| ten 10 MB Base64 images (ms) | plain base64 decode: {plain * 1000:.0f} | full reference-image rules: {ours * 1000:.0f} | {validation_ratio:.2f}x | <= 1.5x | {"yes" if validation_ratio <= 1.5 else "no"} |

Peak RSS (VmHWM) of the server process: {create_rss / mib:.0f} MiB through the create load,
{list_rss / mib:.0f} MiB serving a 1,000,000-task database, {big_rss / mib:.0f} MiB through one
create with ten 10 MB Base64 images (a ~140 MB body).

Whole benchmark took {time.perf_counter() - started:.0f} s.
"""  # noqa: E501
    write_section(SECTION, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
