"""Every contract line (docs/contract.md, revision 2) OpenAPI can state is asserted against the spec.

One row per fact: (JSON pointer into the spec, keyword, expected value). The pointer names the
schema or operation; the keyword is what the fact constrains. A failing row names the fact.
"""

from __future__ import annotations

from typing import Any

import pytest

from omni_spec import load_contract

CREATE = "/paths/~1v1~1images~1omni-image/post"
LIST = "/paths/~1v1~1images~1omni-image/get"
GET = "/paths/~1v1~1images~1omni-image~1{id}/get"
SCHEMAS = "/components/schemas"
BODY = f"{SCHEMAS}/CreateTaskRequest/properties"

# (contract section: fact, pointer, keyword, expected)
FACTS: list[tuple[str, str, str, Any]] = [
    ("Endpoints: create task", CREATE, "operationId", "create_task"),
    ("Endpoints: query one", GET, "operationId", "get_task"),
    ("Endpoints: query list", LIST, "operationId", "list_tasks"),
    (
        "Endpoints: create answers a created-task envelope",
        f"{CREATE}/responses/200/content/application~1json/schema",
        "$ref",
        "#/components/schemas/CreateTaskEnvelope",
    ),
    (
        "Endpoints: the create answer requires only the five documented fields",
        f"{SCHEMAS}/CreatedTask",
        "required",
        ["task_id", "task_status", "task_info", "created_at", "updated_at"],
    ),
    (
        "Endpoints: other create-answer fields have the task schema's types",
        f"{SCHEMAS}/CreatedTask",
        "same-properties-as",
        f"{SCHEMAS}/Task",
    ),
    (
        "Endpoints: get answers a task envelope",
        f"{GET}/responses/200/content/application~1json/schema",
        "$ref",
        "#/components/schemas/TaskEnvelope",
    ),
    (
        "Endpoints: list answers an array envelope",
        f"{LIST}/responses/200/content/application~1json/schema",
        "$ref",
        "#/components/schemas/TaskListEnvelope",
    ),
    (
        "Endpoints: request bodies are JSON",
        f"{CREATE}/requestBody/content",
        "keys",
        ["application/json"],
    ),
    ("Endpoints: body required", f"{CREATE}/requestBody", "required", True),
    ("List: pageNum minimum", f"{LIST}/parameters/0/schema", "minimum", 1),
    ("List: pageNum maximum", f"{LIST}/parameters/0/schema", "maximum", 1000),
    ("List: pageNum default", f"{LIST}/parameters/0/schema", "default", 1),
    ("List: pageNum is an integer", f"{LIST}/parameters/0/schema", "type", "integer"),
    ("List: pageNum name", f"{LIST}/parameters/0", "name", "pageNum"),
    ("List: pageSize minimum", f"{LIST}/parameters/1/schema", "minimum", 1),
    ("List: pageSize maximum", f"{LIST}/parameters/1/schema", "maximum", 500),
    ("List: pageSize default", f"{LIST}/parameters/1/schema", "default", 30),
    ("List: pageSize name", f"{LIST}/parameters/1", "name", "pageSize"),
    ("Public base URL (global)", "/servers/0", "url", "https://api-singapore.klingai.com"),
    ("Public base URL (China)", "/servers/1", "url", "https://api-beijing.klingai.com"),
    ("Auth: HTTP bearer", "/components/securitySchemes/bearerAuth", "scheme", "bearer"),
    ("Auth: bearer format JWT", "/components/securitySchemes/bearerAuth", "bearerFormat", "JWT"),
    ("Auth: applied globally", "/security", "value", [{"bearerAuth": []}]),
    (
        "Envelope: success fields",
        f"{SCHEMAS}/TaskEnvelope",
        "required",
        ["code", "message", "request_id", "data"],
    ),
    ("Envelope: success code is 0", f"{SCHEMAS}/TaskEnvelope/properties/code", "const", 0),
    ("Envelope: list success code is 0", f"{SCHEMAS}/TaskListEnvelope/properties/code", "const", 0),
    (
        "Envelope: list data is an array",
        f"{SCHEMAS}/TaskListEnvelope/properties/data",
        "type",
        "array",
    ),
    ("Envelope: error fields", f"{SCHEMAS}/Error", "required", ["code", "message", "request_id"]),
    ("Envelope: error has no data", f"{SCHEMAS}/Error/not", "required", ["data"]),
    ("Envelope: times are integers", f"{SCHEMAS}/EpochMillis", "type", "integer"),
    ("Body: model_name enum", f"{SCHEMAS}/ModelName", "enum", ["kling-image-o1", "kling-v3-omni"]),
    ("Body: model_name default", f"{SCHEMAS}/ModelName", "default", "kling-image-o1"),
    ("Body: prompt required", f"{SCHEMAS}/CreateTaskRequest", "required", ["prompt"]),
    ("Body: prompt min length", f"{SCHEMAS}/Prompt", "minLength", 1),
    ("Body: prompt max length 2,500", f"{SCHEMAS}/Prompt", "maxLength", 2500),
    ("Body: image item requires image", f"{SCHEMAS}/ImageReference", "required", ["image"]),
    ("Body: image non-empty", f"{SCHEMAS}/ImageReference/properties/image", "minLength", 1),
    (
        "Body: image has no data: prefix",
        f"{SCHEMAS}/ImageReference/properties/image",
        "pattern",
        "^(?![Dd][Aa][Tt][Aa]:)",
    ),
    (
        "Body: element item requires element_id",
        f"{SCHEMAS}/ElementReference",
        "required",
        ["element_id"],
    ),
    (
        "Body: element_id integer",
        f"{SCHEMAS}/ElementReference/properties/element_id",
        "type",
        "integer",
    ),
    (
        "Body: element_id int64",
        f"{SCHEMAS}/ElementReference/properties/element_id",
        "format",
        "int64",
    ),
    ("Body: resolution enum", f"{SCHEMAS}/Resolution", "enum", ["1k", "2k", "4k"]),
    ("Body: resolution default", f"{SCHEMAS}/Resolution", "default", "1k"),
    ("Body: result_type enum", f"{SCHEMAS}/ResultType", "enum", ["single", "series"]),
    ("Body: result_type default", f"{SCHEMAS}/ResultType", "default", "single"),
    ("Body: n integer", f"{BODY}/n", "type", "integer"),
    ("Body: n minimum", f"{BODY}/n", "minimum", 1),
    ("Body: n maximum", f"{BODY}/n", "maximum", 9),
    ("Body: n default", f"{BODY}/n", "default", 1),
    ("Body: series_amount integer minimum", f"{SCHEMAS}/SeriesAmount/oneOf/0", "minimum", 2),
    ("Body: series_amount integer maximum", f"{SCHEMAS}/SeriesAmount/oneOf/0", "maximum", 9),
    ("Body: series_amount or auto", f"{SCHEMAS}/SeriesAmount/oneOf/1", "enum", ["auto"]),
    ("Body: series_amount default", f"{SCHEMAS}/SeriesAmount", "default", 4),
    (
        "Body: aspect ratios",
        f"{SCHEMAS}/AspectRatio",
        "enum",
        ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9", "auto"],
    ),
    ("Body: aspect_ratio default", f"{SCHEMAS}/AspectRatio", "default", "auto"),
    (
        "Body: watermark_info enabled boolean",
        f"{SCHEMAS}/WatermarkInfo/properties/enabled",
        "type",
        "boolean",
    ),
    ("Body: callback_url has no strict-URI format", f"{BODY}/callback_url", "absent", "format"),
    (
        "Body: watermark_info may omit enabled (a silence)",
        f"{SCHEMAS}/WatermarkInfo",
        "absent",
        "required",
    ),
    (
        "Task: watermark_info carries enabled",
        f"{SCHEMAS}/TaskWatermarkInfo",
        "required",
        ["enabled"],
    ),
    ("Body: external_task_id non-empty", f"{BODY}/external_task_id", "minLength", 1),
    (
        "Body: unknown fields are ignored",
        f"{SCHEMAS}/CreateTaskRequest",
        "absent",
        "additionalProperties",
    ),
    (
        "Task: required fields",
        f"{SCHEMAS}/Task",
        "required",
        [
            "task_id",
            "task_status",
            "task_status_msg",
            "task_info",
            "task_result",
            "watermark_info",
            "final_unit_deduction",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "Task: statuses (spelt succeed)",
        f"{SCHEMAS}/TaskStatus",
        "enum",
        ["submitted", "processing", "succeed", "failed"],
    ),
    (
        "Task: result lists",
        f"{SCHEMAS}/TaskResult",
        "required",
        ["result_type", "images", "series_images"],
    ),
    ("Task: result item", f"{SCHEMAS}/ResultImage", "required", ["index", "url"]),
    (
        "Task: final_balance_deduction is optional",
        f"{SCHEMAS}/Task",
        "not-required",
        "final_balance_deduction",
    ),
    (
        "Task: final_balance_deduction is quota and list_price",
        f"{SCHEMAS}/FinalBalanceDeduction",
        "required",
        ["quota", "list_price"],
    ),
    (
        "Task: quota is a string",
        f"{SCHEMAS}/FinalBalanceDeduction/properties/quota",
        "type",
        "string",
    ),
    (
        "Task: list_price is a string",
        f"{SCHEMAS}/FinalBalanceDeduction/properties/list_price",
        "type",
        "string",
    ),
    (
        "Task: external_task_id nullable",
        f"{SCHEMAS}/TaskInfo/properties/external_task_id",
        "type",
        ["string", "null"],
    ),
    (
        "Task: final_unit_deduction is a string",
        f"{SCHEMAS}/Task/properties/final_unit_deduction",
        "type",
        "string",
    ),
    (
        "Task: created_at in ms",
        f"{SCHEMAS}/Task/properties/created_at",
        "$ref",
        "#/components/schemas/EpochMillis",
    ),
    (
        "Task: updated_at in ms",
        f"{SCHEMAS}/Task/properties/updated_at",
        "$ref",
        "#/components/schemas/EpochMillis",
    ),
    (
        "Callback: POST to callback_url",
        f"{CREATE}/callbacks/taskStatus",
        "keys",
        ["{$request.body#/callback_url}"],
    ),
    (
        "Callback: body is the documented callback body",
        f"{CREATE}/callbacks/taskStatus/{{$request.body#~1callback_url}}/post/requestBody/content/application~1json/schema",
        "$ref",
        "#/components/schemas/CallbackTask",
    ),
    (
        "Callback: the documented body's fields",
        f"{SCHEMAS}/CallbackTask",
        "required",
        [
            "task_id",
            "task_status",
            "task_status_msg",
            "task_info",
            "task_result",
            "final_unit_deduction",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "Callback: fields present have the task schema's types",
        f"{SCHEMAS}/CallbackTask",
        "same-properties-as",
        f"{SCHEMAS}/Task",
    ),
    (
        "Link: create -> get by task_id",
        f"{CREATE}/responses/200/links/GetTaskByTaskId/parameters",
        "value",
        {"id": "$response.body#/data/task_id"},
    ),
    (
        "Errors: references <= 10",
        "/x-rules",
        "rule-param",
        ("references-total-max-10", "max_total", 10),
    ),
    (
        "Errors: image max bytes",
        "/x-rules",
        "rule-param",
        ("reference-image-max-bytes", "max_bytes", 10485760),
    ),
    (
        "Errors: image min side",
        "/x-rules",
        "rule-param",
        ("reference-image-min-side", "min_side", 300),
    ),
    (
        "Errors: image max ratio",
        "/x-rules",
        "rule-param",
        ("reference-image-aspect-ratio", "max_ratio", 2.5),
    ),
    # x-rules params both the reference server and the conformance suite read: a typo here would
    # change both at once and keep every behavioural test green, so they are pinned to the contract.
    (
        "Result geometry: ratio within 1%",
        "/x-rules",
        "rule-param",
        ("result-image-geometry", "ratio_tolerance", 0.01),
    ),
    (
        "Result geometry: pixels within 15%",
        "/x-rules",
        "rule-param",
        ("result-image-geometry", "pixel_tolerance", 0.15),
    ),
    (
        "Result geometry: 1k/2k/4k pixel counts",
        "/x-rules",
        "rule-param",
        ("result-image-geometry", "pixels", {"1k": 1024**2, "2k": 2048**2, "4k": 4096**2}),
    ),
    (
        "Result geometry: auto without references is 1:1",
        "/x-rules",
        "rule-param",
        ("result-image-geometry", "auto_without_reference", "1:1"),
    ),
    (
        "Series auto: at least 2",
        "/x-rules",
        "rule-param",
        ("task-result-shape", "auto_series_min", 2),
    ),
    (
        "Series auto: at most 9",
        "/x-rules",
        "rule-param",
        ("task-result-shape", "auto_series_max", 9),
    ),
    (
        "Lifecycle order",
        "/x-rules",
        "rule-param",
        ("task-status-forward-only", "order", ["submitted", "processing", "succeed", "failed"]),
    ),
    (
        "Lifecycle terminal statuses",
        "/x-rules",
        "rule-param",
        ("task-status-forward-only", "terminal", ["succeed", "failed"]),
    ),
    (
        "Unsupported method: HTTP 404",
        "/x-rules",
        "rule-param",
        ("method-not-supported", "status", 404),
    ),
    (
        "Unsupported method: code 1202",
        "/x-rules",
        "rule-param",
        ("method-not-supported", "code", 1202),
    ),
    (
        "Auth errors: no Authorization header is 1001",
        "/x-rules",
        "rule-param",
        ("auth-codes", "missing", 1001),
    ),
    (
        "Auth errors: malformed/bad signature/unknown key is 1002",
        "/x-rules",
        "rule-param",
        ("auth-codes", "invalid", 1002),
    ),
    (
        "Auth errors: nbf in the future is 1003",
        "/x-rules",
        "rule-param",
        ("auth-codes", "not_yet_valid", 1003),
    ),
    (
        "Auth errors: expired is 1004",
        "/x-rules",
        "rule-param",
        ("auth-codes", "expired", 1004),
    ),
    (
        "Auth errors: other authentication failure is 1000",
        "/x-rules",
        "rule-param",
        ("auth-codes", "other", 1000),
    ),
    (
        "Auth errors: HTTP 401",
        "/x-rules",
        "rule-param",
        ("auth-codes", "status", 401),
    ),
    (
        "Task not found (or another user's): code 1203",
        "/x-rules",
        "rule-param",
        ("user-isolation", "not_found_code", 1203),
    ),
    (
        "Task not found (or another user's): HTTP 404",
        "/x-rules",
        "rule-param",
        ("user-isolation", "status", 404),
    ),
    (
        "Body errors: malformed or missing is 1200",
        "/x-rules",
        "rule-param",
        ("body-json-object", "missing_or_malformed_code", 1200),
    ),
    (
        "Body errors: invalid field is 1201",
        "/x-rules",
        "rule-param",
        ("body-json-object", "invalid_field_code", 1201),
    ),
    (
        "Result downloads: PNG or JPEG",
        "/x-rules",
        "rule-param",
        ("result-image-download", "content_types", ["image/png", "image/jpeg"]),
    ),
    (
        "Reference images: JPEG or PNG",
        "/x-rules",
        "rule-param",
        ("reference-image-format", "formats", ["JPEG", "PNG"]),
    ),
    (
        "Prompt references: <<<image_N>>>/<<<element_N>>>",
        "/x-rules",
        "rule-param",
        ("prompt-reference-in-range", "pattern", "<<<(image|element)_([0-9]+)>>>"),
    ),
    ("Capability: o1 resolutions", "/x-capability-map/kling-image-o1", "resolutions", ["1k", "2k"]),
    ("Capability: o1 no series", "/x-capability-map/kling-image-o1", "series", False),
    (
        "Capability: v3 resolutions",
        "/x-capability-map/kling-v3-omni",
        "resolutions",
        ["1k", "2k", "4k"],
    ),
    ("Capability: v3 series", "/x-capability-map/kling-v3-omni", "series", True),
    (
        "Capability: v3 no auto without reference",
        "/x-capability-map/kling-v3-omni",
        "auto_aspect_ratio_without_reference",
        False,
    ),
]

# Errors table (the contract's "Errors"): code -> HTTP status.
ERROR_TABLE = {
    1000: 401, 1001: 401, 1002: 401, 1003: 401, 1004: 401,
    1200: 400, 1201: 400, 1202: 404, 1203: 404,
    1100: 429, 1101: 429, 1102: 429, 1103: 403,
    1300: 400, 1301: 400, 1302: 429, 1303: 429, 1304: 429,
    5000: 500, 5001: 503, 5002: 504,
}  # fmt: skip

DOCUMENTED_STATUSES = ["200", "400", "401", "403", "404", "429", "500", "503", "504"]


def resolve(pointer: str) -> Any:
    """Follow a JSON pointer into the parsed spec."""
    return load_contract().resolve(pointer)


@pytest.mark.parametrize(
    ("fact", "pointer", "keyword", "expected"), FACTS, ids=[f[0] for f in FACTS]
)
def test_fact_is_stated_in_the_spec(fact: str, pointer: str, keyword: str, expected: Any) -> None:
    """The spec states the contract line named by the row."""
    node = resolve(pointer)
    if keyword == "same-properties-as":
        task_properties = resolve(expected)["properties"]
        for name, schema in node["properties"].items():
            assert {k: v for k, v in schema.items() if k != "description"} == {
                k: v for k, v in task_properties[name].items() if k != "description"
            }, (fact, name)
    elif keyword == "not-required":
        assert expected in node["properties"] and expected not in node["required"], fact
    elif keyword == "keys":
        assert list(node) == expected, fact
    elif keyword == "value":
        assert node == expected, fact
    elif keyword == "absent":
        assert expected not in node, fact
    elif keyword == "rule-param":
        rule_id, param, value = expected
        assert load_contract().rule(rule_id).params[param] == value, fact
    else:
        assert node[keyword] == expected, fact


@pytest.mark.parametrize(("code", "status"), sorted(ERROR_TABLE.items()))
def test_error_table_row(code: int, status: int) -> None:
    """x-error-codes maps each business code to the HTTP status of the contract's table."""
    assert load_contract().error_codes[code].status == status


def test_only_transient_codes_are_retryable() -> None:
    """Rate/concurrency limits and server-side failures are the retryable codes, no others."""
    retryable = {code for code, row in load_contract().error_codes.items() if row.retryable}
    assert retryable == {1302, 1303, 5000, 5001, 5002}


def test_error_table_has_no_extra_codes() -> None:
    """x-error-codes holds exactly the contract's codes."""
    assert set(load_contract().error_codes) == set(ERROR_TABLE)


@pytest.mark.parametrize("pointer", [CREATE, GET, LIST])
def test_every_documented_status_is_answered(pointer: str) -> None:
    """Each operation documents 200, 400, 401, 403, 404, 429, 500, 503 and 504."""
    assert sorted(resolve(pointer)["responses"]) == DOCUMENTED_STATUSES


@pytest.mark.parametrize("pointer", [CREATE, GET, LIST])
def test_error_examples_carry_codes_of_their_status(pointer: str) -> None:
    """Every error response example has a business code whose table status is the response's."""
    contract = load_contract()
    for status, response in resolve(pointer)["responses"].items():
        if status == "200":
            continue
        target = resolve(response["$ref"].lstrip("#"))
        examples = target["content"]["application/json"]["examples"]
        assert examples, status
        for example in examples.values():
            code = example["value"]["code"]
            assert contract.error_codes[code].status == int(status), (status, code)


def test_operations_share_one_tag() -> None:
    """The three operations carry the omni-image tag."""
    for pointer in (CREATE, GET, LIST):
        assert resolve(pointer)["tags"] == ["omni-image"]


def test_local_reference_server_is_listed() -> None:
    """The local reference server is one of the servers."""
    assert any(s["url"].startswith("http://127.0.0.1") for s in resolve("/servers"))
