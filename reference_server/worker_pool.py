"""`--workers N`: N server processes on one port, watched by a supervisor.

The supervisor binds the port first (so `--port 0` can report the real one), then forks N worker
processes. Each worker opens its own listening socket on that port with SO_REUSEPORT, so the
kernel spreads new connections over the workers, and runs the whole server: HTTP API, lifecycle
worker and callback outbox, sharing the database with the others (the store's claims keep them
from taking the same task or delivery). The listening line is printed once every worker is
ready. A worker that dies is replaced; SIGTERM or SIGINT stops them all. Workers die with the
supervisor (PR_SET_PDEATHSIG on Linux), so a killed supervisor leaves no orphan serving.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import TYPE_CHECKING

from reference_server.config import ServerSettings

if TYPE_CHECKING:
    from starlette.types import ASGIApp

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
RESTART_WINDOW = 10.0  # seconds: more than MAX_RESTARTS deaths within it stops the pool
MAX_RESTARTS = 5
PR_SET_PDEATHSIG = 1

AppFactory = Callable[[ServerSettings], "ASGIApp"]
ServeApp = Callable[["ASGIApp", socket.socket], None]
BindSocket = Callable[[str, int], socket.socket]


class WorkerStartError(RuntimeError):
    """A worker exited or did not get ready before the pool started serving."""


def _die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when the supervisor dies (no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the supervisor died before prctl took effect
        os._exit(1)


def _worker_main(pool: WorkerPool, ready: Connection, parent: int) -> None:
    """A forked worker: its own socket on the port, its own store, then serve until stopped."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _die_with_parent(parent)
    for fd in pool.inherited:  # the supervisor's port reservation and database lock are its own
        with contextlib.suppress(OSError):
            os.close(fd)
    settings = pool.settings
    sock = pool.bind(settings.host, settings.port)
    app = pool.app_factory(settings)  # opens this process's own store connections
    ready.send(os.getpid())
    ready.close()
    pool.serve(app, sock)


class WorkerPool:
    """Start, watch and stop the worker processes of one server."""

    def __init__(
        self,
        settings: ServerSettings,
        app_factory: AppFactory,
        bind: BindSocket,
        serve: ServeApp,
        inherited: list[int],
    ) -> None:
        self.settings = settings
        self.app_factory = app_factory
        self.bind = bind
        self.serve = serve
        self.inherited = inherited
        self.context = multiprocessing.get_context("fork")
        self.processes: list[BaseProcess] = []
        self._stopping = False
        self._deaths: list[float] = []

    def _spawn(self) -> BaseProcess:
        reader, writer = self.context.Pipe(duplex=False)
        sys.stdout.flush()
        sys.stderr.flush()
        process = self.context.Process(
            target=_worker_main,
            args=(self, writer, os.getpid()),
            name="omni-reference-worker",
            daemon=False,
        )
        process.start()
        writer.close()
        try:
            if not wait([reader, process.sentinel], READY_TIMEOUT) or not reader.poll():
                process.kill()
                process.join()
                raise WorkerStartError(
                    f"worker process {process.pid} exited (code {process.exitcode}) "
                    "before it was ready"
                    if process.exitcode is not None
                    else f"worker process {process.pid} was not ready in {READY_TIMEOUT:g} s"
                )
            reader.recv()
        except EOFError:
            process.join()
            raise WorkerStartError(
                f"worker process {process.pid} exited (code {process.exitcode}) before it was ready"
            ) from None
        finally:
            reader.close()
        return process

    def start(self, count: int) -> None:
        """Start `count` workers, each ready (listening, store open) when this returns."""
        try:
            for _ in range(count):
                self.processes.append(self._spawn())
        except BaseException:
            self.stop()
            raise

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    def run(self) -> int:
        """Watch the workers until SIGTERM/SIGINT (exit 0) or a crash loop (exit 1)."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        code = 0
        while not self._stopping:
            wait([process.sentinel for process in self.processes], timeout=0.2)
            for index, process in enumerate(self.processes):
                if process.exitcode is None or self._stopping:
                    continue
                print(
                    f"omni-reference-server: worker {process.pid} ended "
                    f"({_how(process.exitcode)}); starting another",
                    flush=True,
                )
                now = time.monotonic()
                self._deaths = [t for t in self._deaths if now - t < RESTART_WINDOW] + [now]
                if len(self._deaths) > MAX_RESTARTS:
                    print("omni-reference-server: workers keep dying; stopping", flush=True)
                    self._stopping, code = True, 1
                    break
                try:
                    self.processes[index] = self._spawn()
                except WorkerStartError as error:
                    print(f"omni-reference-server: {error}; stopping", flush=True)
                    self._stopping, code = True, 1
                    break
        self.stop()
        return code

    def stop(self) -> None:
        """SIGTERM every worker (graceful: in-flight requests finish), SIGKILL after a while."""
        for process in self.processes:
            if process.exitcode is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                process.kill()
                process.join()


def _how(exitcode: int) -> str:
    if exitcode < 0:
        return f"signal {signal.Signals(-exitcode).name}"
    return f"exit code {exitcode}"
