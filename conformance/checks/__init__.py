"""The checks, one module per topic; importing this package registers them in run order."""

from conformance.checks import (  # noqa: F401 - imported for registration, order = run order
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
