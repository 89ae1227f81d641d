"""The checks, one module per topic; importing this package registers them.

Run order is `TOPIC_ORDER` (cheap request checks first, tasks and callbacks next, Schemathesis
last), then registration order inside a module.
"""

from conformance.checks import (  # noqa: F401 - imported for registration
    auth,
    body_shape,
    callbacks,
    capabilities,
    envelope,
    identity,
    lifecycle,
    paging,
    reference_images,
    references,
    request_boundaries,
    results,
    schemathesis_phases,
)

TOPIC_ORDER = (
    "auth",
    "envelope",
    "request_boundaries",
    "body_shape",
    "references",
    "capabilities",
    "reference_images",
    "lifecycle",
    "results",
    "identity",
    "paging",
    "callbacks",
    "schemathesis_phases",
)
