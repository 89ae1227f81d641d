"""The checks, one module per topic; importing this package registers them in run order."""

from conformance.checks import (  # noqa: F401 - imported for registration, order = run order
    auth,
    envelope,
    request_boundaries,
    body_shape,
    references,
    capabilities,
    reference_images,
    lifecycle,
    results,
    identity,
    paging,
    callbacks,
    schemathesis_phases,
)
