"""The reference server: a real, spec-driven implementation of the Omni-Image API contract.

It loads openapi.yaml at start-up (through `omni_spec`), routes and validates from it, and enforces
the rules OpenAPI cannot state in `rules.py`, one function per `x-rules` id. Tasks live in SQLite
(WAL) and survive restarts; a background worker runs the lifecycle, results are real Pillow images,
and callbacks go through a durable outbox. It imports nothing of ours but `omni_spec`.

Start it with `omni-reference-server` (see `cli.py`), or from Python and tests with
`reference_server.launcher.start_reference_server()`.
"""

from reference_server.config import ServerSettings

__all__ = ["ServerSettings"]
