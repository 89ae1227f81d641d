"""Start the reference server as a subprocess for tests, scripts and the conformance runner.

>>> from reference_server.launcher import start_reference_server
>>> with start_reference_server(step_delay=0.05) as server:  # doctest: +SKIP
...     httpx.get(server.base_url + "/v1/images/omni-image", headers=...)

The server listens on a free loopback port (port 0; it prints the real one). `restart()` starts
it again on the same port with the same database; `kill()` is SIGKILL, as a crash would be.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from reference_server.cli import LISTENING_PREFIX

STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
OUTPUT_LINES_KEPT = 2000  # server output kept for error messages: bounded for long runs


class ServerStartError(RuntimeError):
    """The server process exited or did not answer in time; carries its output."""


class RunningServer:
    """A server subprocess: `.base_url`, `.process`, `.stop()`, `.restart()`, `.kill()`."""

    def __init__(
        self,
        args: list[str],
        database: Path | str,
        env: Mapping[str, str] | None,
        module: str = "reference_server",
    ) -> None:
        self.args = args
        self.module = module
        self.database = database
        self.env = dict(env) if env is not None else None
        self._output: collections.deque[str] = collections.deque(maxlen=OUTPUT_LINES_KEPT)
        self.base_url = ""
        self.port = 0
        self.process: subprocess.Popen[str] = self._spawn(port=0)

    @property
    def output(self) -> list[str]:
        """The server's last OUTPUT_LINES_KEPT output lines (a snapshot)."""
        return list(self._output)

    def _spawn(self, port: int) -> subprocess.Popen[str]:
        self.base_url = ""  # set by the listening line of this process, never a previous one
        command = [sys.executable, "-m", self.module, "--port", str(port), *self.args]
        env = {**os.environ, **(self.env or {}), "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: kill() reaches every worker
        )
        self.process = process
        listening = threading.Event()
        threading.Thread(target=self._pump, args=(process, listening), daemon=True).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        if not listening.wait(STARTUP_TIMEOUT) or not self.base_url:
            process.kill()
            process.wait()
            raise ServerStartError("reference server did not start:\n" + "".join(self.output))
        # trust_env=False: a proxy variable in the environment must not route loopback traffic away.
        with httpx.Client(trust_env=False, timeout=2.0) as probe:
            while time.monotonic() < deadline:
                try:
                    probe.get(self.base_url + "/")
                    return process
                except httpx.TransportError:
                    if process.poll() is not None:
                        break
                    time.sleep(0.05)
        process.kill()
        raise ServerStartError("reference server did not answer:\n" + "".join(self.output))

    def _pump(self, process: subprocess.Popen[str], listening: threading.Event) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._output.append(line)
            if line.startswith(LISTENING_PREFIX):
                self.base_url = line[len(LISTENING_PREFIX) :].strip()
                self.port = int(self.base_url.rsplit(":", 1)[1])
                listening.set()
        listening.set()  # process ended: wake the waiter, which then sees no base_url

    def stop(self) -> None:
        """Graceful stop (SIGTERM), SIGKILL if it does not exit in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL to the server and its worker processes, like a crash: nothing cleans up."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes (`--workers N`); empty for a single process."""
        try:
            return [child.pid for child in psutil.Process(self.process.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def kill_worker(self, pid: int) -> None:
        """SIGKILL one worker process (the supervisor starts another)."""
        if pid not in self.worker_pids():
            raise ValueError(f"{pid} is not a worker of this server")
        os.kill(pid, signal.SIGKILL)

    def restart(self) -> None:
        """Stop (if running) and start again on the same port with the same database.

        If another process took the port meanwhile, the server starts on a fresh free port
        (`.base_url` and `.port` then change).
        """
        self.stop()
        try:
            self._spawn(port=self.port)
        except ServerStartError:
            if _port_is_free(self.port):
                raise  # the server failed for another reason: report it
            self._spawn(port=0)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _flag_args(options: Mapping[str, object]) -> list[str]:
    args: list[str] = []
    for name, value in options.items():
        if value is None:
            continue
        text = str(value)
        if isinstance(value, Mapping):
            text = ",".join(f"{key}:{item}" for key, item in value.items())
        elif isinstance(value, (list, tuple, set, frozenset)):
            text = ",".join(str(item) for item in sorted(value))
        args += [f"--{name.replace('_', '-')}", text]
    return args


@contextmanager
def start_reference_server(
    *,
    database: str | Path | None = None,
    workers: int | None = None,
    users: Mapping[str, str] | str | None = None,
    api_keys: Mapping[str, str] | str | None = None,
    element_ids: Sequence[int] | str | None = None,
    webhook_secret: str | None = None,
    step_delay: float | None = None,
    failure_marker: str | None = None,
    url_policy: str | None = "loopback-only",
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    module: str = "reference_server",
) -> Iterator[RunningServer]:
    """Run a reference server for the duration of the block (a temporary database by default).

    The URL policy defaults to `loopback-only`: the launcher serves tests, scripts and the
    conformance runner, which must never make the server fetch or call back anything off loopback
    (the spec's own examples name example.com URLs). Pass `url_policy=None` for the CLI default.
    `module` is what `python -m` runs: another module taking the same flags and printing the same
    listening line (e.g. a test harness serving a mutated app) reuses this start/stop logic.
    """
    with tempfile.TemporaryDirectory(prefix="omni-reference-") as scratch:
        db: str | Path = (
            database if isinstance(database, str) and "://" in database
            else Path(database) if database is not None
            else Path(scratch) / "reference.sqlite3"
        )  # fmt: skip
        args = _flag_args(
            {
                "host": "127.0.0.1",
                "database": db,
                "workers": workers,
                "users": users,
                "api_keys": api_keys,
                "element_ids": element_ids,
                "webhook_secret": webhook_secret,
                "step_delay": step_delay,
                "failure_marker": failure_marker,
                "url_policy": url_policy,
            }
        )
        server = RunningServer([*args, *extra_args], db, env, module)
        try:
            yield server
        finally:
            server.stop()
