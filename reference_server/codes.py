"""Business codes the server answers with, read once from openapi.yaml (never restated by hand).

Each name says which `x-rules` param it comes from; the HTTP status of a code always comes from
`x-error-codes` (see envelope.ApiError).
"""

from __future__ import annotations

from omni_spec import load_contract

_contract = load_contract()
_body = _contract.rule("body-json-object").params
_auth = _contract.rule("auth-codes").params

# rule `body-json-object`: not JSON / not an object / required field missing; any other bad field
BODY_MALFORMED: int = int(_body["missing_or_malformed_code"])
INVALID_FIELD: int = int(_body["invalid_field_code"])
# rule `auth-codes`
AUTH_OTHER: int = int(_auth["other"])
AUTH_MISSING: int = int(_auth["missing"])
AUTH_INVALID: int = int(_auth["invalid"])
AUTH_NOT_YET_VALID: int = int(_auth["not_yet_valid"])
AUTH_EXPIRED: int = int(_auth["expired"])
# rule `method-not-supported`
METHOD_NOT_SUPPORTED: int = int(_contract.rule("method-not-supported").params["code"])
# rule `user-isolation`: another user's task (or none) is "not found"
NOT_FOUND: int = int(_contract.rule("user-isolation").params["not_found_code"])
# `x-error-codes`: the one code whose status is 500 (an unexpected server error)
SERVER_ERROR: int = next(
    code for code, entry in _contract.error_codes.items() if entry.status == 500
)

# Contract "Errors": rate limit / concurrency over the pack (429). The spec states these codes
# only as rows of `x-error-codes`, not as rule params, so they are named here and checked
# against that table at import: a spec without them (or with another status) fails loudly.


def _listed(code: int) -> int:
    if code not in _contract.error_codes:
        raise LookupError(f"openapi.yaml's x-error-codes has no {code}")
    return code


RATE_LIMITED: int = _listed(1302)
CONCURRENCY_OVER: int = _listed(1303)
