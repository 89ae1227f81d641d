"""The contract's cross-field rules on references: total <= 10, <<<image_N>>>/<<<element_N>>>
(documented), other <<<...>>> text plain (a ruling), element ids; <<<image_0>>> and two-bracket
<<image_N>> are silences (noted)."""

from __future__ import annotations

from typing import Any

from conformance.checks._cases import (
    ACCEPTED,
    RequestCase,
    fixed_ratio,
    invalid_code,
    reference_image,
    run_cases,
    silent_case,
)
from conformance.context import CheckContext
from conformance.lines import ACCEPTED as ACCEPTED_SIDE
from conformance.registry import conformance_check

PLAIN_TEXT = "prompt-other-markup-plain-text"


def _images(ctx: CheckContext, count: int) -> list[dict[str, str]]:
    """`count` small valid reference images (the same picture: content rules are not under test)."""
    return [reference_image(ctx) for _ in range(count)]


def _elements(ctx: CheckContext, count: int) -> list[dict[str, int]]:
    ids = ctx.element_ids
    return [{"element_id": ids[i % len(ids)]} for i in range(count)]


@conformance_check("references-total-max-10")
def check_references_total(ctx: CheckContext) -> None:
    """image_list + element_list of exactly the maximum is accepted, one more is 1201."""
    limit = int(ctx.contract.rule("references-total-max-10").params["max_total"])
    bad = invalid_code(ctx)
    base = {"prompt": ctx.prompt(), "aspect_ratio": fixed_ratio(ctx)}
    cases = [
        RequestCase(f"{limit} images", base | {"image_list": _images(ctx, limit)}, ACCEPTED),
        RequestCase(f"{limit + 1} images", base | {"image_list": _images(ctx, limit + 1)}, bad),
    ]
    if ctx.element_ids:
        # Mixes of both lists: distinct element ids where the library has enough of them.
        distinct = min(len(ctx.element_ids), limit)
        for elements in sorted({1, distinct // 2 or 1, distinct}):
            fill = limit - elements
            cases.append(
                RequestCase(
                    f"{fill} images + {elements} elements",
                    base
                    | {"image_list": _images(ctx, fill), "element_list": _elements(ctx, elements)},
                    ACCEPTED,
                )
            )
            cases.append(
                RequestCase(
                    f"{fill + 1} images + {elements} elements",
                    base
                    | {
                        "image_list": _images(ctx, fill + 1),
                        "element_list": _elements(ctx, elements),
                    },
                    bad,
                )
            )
    else:
        ctx.note("no --element-ids: only image_list totals were checked")
    run_cases(ctx, cases)


@conformance_check("prompt-reference-in-range", covers={PLAIN_TEXT: (ACCEPTED_SIDE,)})
def check_prompt_reference_in_range(ctx: CheckContext) -> None:
    """<<<image_N>>>/<<<element_N>>> within their lists pass, beyond fail; other <<<...>>> is
    text (a ruling); <<<image_0>>> and <<image_N>> are silences, only noted."""
    bad = invalid_code(ctx)
    two = _images(ctx, 2)
    cases: list[RequestCase] = [
        RequestCase(
            "<<<image_1>>> and <<<image_2>>> with 2 images",
            {"prompt": "mix <<<image_1>>> with <<<image_2>>>", "image_list": two},
            ACCEPTED,
        ),
        RequestCase(
            "<<<image_3>>> with 2 images", {"prompt": "use <<<image_3>>>", "image_list": two}, bad
        ),
        RequestCase(
            "<<<image_1>>> without image_list",
            {"prompt": "use <<<image_1>>>", "aspect_ratio": fixed_ratio(ctx)},
            bad,
        ),
        RequestCase(
            "<<<element_1>>> without element_list",
            {"prompt": "use <<<element_1>>>", "aspect_ratio": fixed_ratio(ctx)},
            bad,
        ),
        RequestCase(
            "<<<image_12>>> (two digits) with 2 images",
            {"prompt": "use <<<image_12>>>", "image_list": two},
            bad,
        ),
    ]
    plain: list[str] = [
        "<<<style>>>",
        "<<<image_>>>",
        "<<<image_one>>>",
        "<<<video_1>>>",
        "<<<>>>",
    ]
    for text in plain:
        body: dict[str, Any] = {
            "prompt": f"keep {text} literally",
            "aspect_ratio": fixed_ratio(ctx),
        }
        cases.append(
            RequestCase(
                f"plain text {text}",
                body,
                ACCEPTED,
                "other <<<...>>> text is plain text",
                rule=PLAIN_TEXT,
            )
        )
    cases += [
        silent_case(
            "<<image_1>> (two brackets) with 2 images",
            {"prompt": "use <<image_1>>", "image_list": two},
            "prompt-reference-two-brackets",
        ),
        silent_case(
            "<<image_9>> (two brackets) without image_list",
            {"prompt": "keep <<image_9>>", "aspect_ratio": fixed_ratio(ctx)},
            "prompt-reference-two-brackets",
        ),
        silent_case(
            "<<<image_0>>> with 2 images",
            {"prompt": "use <<<image_0>>>", "image_list": two},
            "prompt-reference-index-zero",
        ),
    ]
    if ctx.element_ids:
        elements = _elements(ctx, 1)
        cases += [
            RequestCase(
                "<<<element_1>>> with 1 element",
                {
                    "prompt": "<<<element_1>>> in <<<image_1>>>",
                    "element_list": elements,
                    "image_list": _images(ctx, 1),
                },
                ACCEPTED,
            ),
            RequestCase(
                "<<<element_2>>> with 1 element",
                {"prompt": "use <<<element_2>>>", "element_list": elements},
                bad,
            ),
            RequestCase(
                "<<<image_2>>> with 1 image and 1 element",
                {
                    "prompt": "use <<<image_2>>>",
                    "element_list": elements,
                    "image_list": _images(ctx, 1),
                },
                bad,
            ),
        ]
    else:
        ctx.note("no --element-ids: <<<element_N>>> within range not checked")
    run_cases(ctx, cases)


@conformance_check("element-id-in-library", needs=("element_ids",))
def check_element_in_library(ctx: CheckContext) -> None:
    """Every given library id is accepted; an id outside the library is 1201."""
    bad = invalid_code(ctx)
    base = {"prompt": ctx.prompt(), "aspect_ratio": fixed_ratio(ctx)}
    cases = [
        RequestCase(
            f"element_id {element} from the library",
            base | {"element_list": [{"element_id": element}]},
            ACCEPTED,
        )
        for element in ctx.element_ids[
            : int(ctx.contract.rule("references-total-max-10").params["max_total"])
        ]
    ]
    outsider = max(ctx.element_ids) + 7_000_000_000 + ctx.rng.randrange(10**6)
    cases.append(
        RequestCase(
            f"element_id {outsider} outside the library",
            base | {"element_list": [{"element_id": outsider}]},
            bad,
        )
    )
    cases.append(RequestCase("element_id -1", base | {"element_list": [{"element_id": -1}]}, bad))
    run_cases(ctx, cases)
