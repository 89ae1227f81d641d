"""The contract's reference image rules, with real images drawn by Hypothesis
(conformance.strategies). Bytes that start like a JPEG/PNG but do not decode (truncated or
corrupt) touch the silence on truncated images: only noted."""

from __future__ import annotations

from typing import Any

from conformance.checks._cases import (
    ACCEPTED,
    RequestCase,
    fixed_ratio,
    invalid_code,
    max_reference_ratio,
    run_cases,
    silent_case,
)
from conformance.context import CheckContext
from conformance.lines import BOTH
from conformance.registry import conformance_check
from conformance.strategies import (
    ReferenceImage,
    b64,
    corrupt_images,
    draw_examples,
    other_format_image,
    pad_png,
    reference_image_strategy,
    render_image,
)

# Leading bytes of the accepted formats: garbage behind them is a broken (truncated) JPEG/PNG,
# which the contract leaves open; garbage without them is no JPEG/PNG under any reading.
SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
NO_DATA_PREFIX = "pattern:ImageReference.image"


def _body(ctx: CheckContext, image: str) -> dict[str, Any]:
    return {
        "prompt": ctx.prompt("reference"),
        "image_list": [{"image": image}],
        "aspect_ratio": fixed_ratio(ctx),
    }


def _sized(ctx: CheckContext, width: int, height: int) -> list[ReferenceImage]:
    """One drawn image per accepted encoding (rule reference-image-format) at exactly width x
    height."""
    return [
        draw_examples(reference_image_strategy(width, height, (fmt,)), ctx.rng.randrange(2**32), 1)[
            0
        ]
        for fmt in ctx.contract.rule("reference-image-format").params["formats"]
    ]


def _size_cases(
    ctx: CheckContext, sizes: list[tuple[int, int, bool]], doc: str
) -> list[RequestCase]:
    bad = invalid_code(ctx)
    return [
        RequestCase(image.describe(), _body(ctx, b64(image.data)), ACCEPTED if ok else bad, doc)
        for width, height, ok in sizes
        for image in _sized(ctx, width, height)
    ]


def _ratio_limit_sizes(ctx: CheckContext) -> tuple[int, int]:
    """(min_side, longest side allowed against it) from the rules' params."""
    min_side = int(ctx.contract.rule("reference-image-min-side").params["min_side"])
    return min_side, int(min_side * max_reference_ratio(ctx))


@conformance_check("reference-image-min-side")
def check_min_side(ctx: CheckContext) -> None:
    """Width and height of exactly min_side pass; one pixel less on either side fails."""
    side, _ = _ratio_limit_sizes(ctx)
    doc = ctx.contract.rule("reference-image-min-side").text
    sizes = [
        (side, side, True),
        (side - 1, side, False),
        (side, side - 1, False),
        (side + 1, side + 1, True),
    ]
    run_cases(ctx, _size_cases(ctx, sizes, doc))


@conformance_check("reference-image-aspect-ratio")
def check_aspect_ratio(ctx: CheckContext) -> None:
    """750x300 and 300x750 pass (inclusive), 751x300 and 300x751 fail."""
    side, longest = _ratio_limit_sizes(ctx)
    doc = ctx.contract.rule("reference-image-aspect-ratio").text
    sizes = [
        (longest, side, True),
        (side, longest, True),
        (longest + 1, side, False),
        (side, longest + 1, False),
    ]
    run_cases(ctx, _size_cases(ctx, sizes, doc))


@conformance_check("reference-image-format")
def check_format(ctx: CheckContext) -> None:
    """JPEG and PNG by content pass; GIF, WebP, BMP and text fail; a JPEG/PNG signature followed
    by bytes that do not decode is a silence (noted)."""
    bad = invalid_code(ctx)
    doc = ctx.contract.rule("reference-image-format").text
    side = int(ctx.contract.rule("reference-image-min-side").params["min_side"]) + 20
    cases = [
        RequestCase(img.describe(), _body(ctx, b64(img.data)), ACCEPTED, doc)
        for img in _sized(ctx, side, side)
    ]
    for fmt in ("GIF", "WEBP", "BMP"):
        image = other_format_image(fmt, ctx.rng.randrange(2**32), (side, side))
        cases.append(RequestCase(image.describe(), _body(ctx, b64(image.data)), bad, doc))
    for label, data in corrupt_images(ctx.rng.randrange(2**32)).items():
        if data.startswith(SIGNATURES):
            cases.append(
                silent_case(label, _body(ctx, b64(data)), "reference-image-truncated-or-bomb")
            )
        else:
            cases.append(RequestCase(label, _body(ctx, b64(data)), bad, doc))
    run_cases(ctx, cases)


def _padded(ctx: CheckContext, size: int) -> bytes:
    side = int(ctx.contract.rule("reference-image-min-side").params["min_side"])
    return pad_png(render_image(side, side, "PNG", ctx.seed).data, size)


@conformance_check("reference-image-max-bytes")
def check_max_bytes(ctx: CheckContext) -> None:
    """A PNG of exactly max_bytes decoded passes; one byte more fails."""
    limit = int(ctx.contract.rule("reference-image-max-bytes").params["max_bytes"])
    doc = ctx.contract.rule("reference-image-max-bytes").text
    run_cases(
        ctx,
        [
            RequestCase(
                f"PNG of exactly {limit} bytes", _body(ctx, b64(_padded(ctx, limit))), ACCEPTED, doc
            ),
            RequestCase(
                f"PNG of {limit + 1} bytes",
                _body(ctx, b64(_padded(ctx, limit + 1))),
                invalid_code(ctx),
                doc,
            ),
        ],
    )


@conformance_check("reference-image-base64", covers={NO_DATA_PREFIX: BOTH})
def check_base64(ctx: CheckContext) -> None:
    """Raw standard Base64 passes; a data: prefix, the URL-safe alphabet or non-Base64 text
    fails."""
    bad = invalid_code(ctx)
    doc = ctx.contract.rule("reference-image-base64").text
    side = int(ctx.contract.rule("reference-image-min-side").params["min_side"]) + 10
    image = next(
        img
        for img in (render_image(side, side, "PNG", ctx.rng.randrange(2**32)) for _ in range(50))
        if {"+", "/"} & set(b64(img.data))
    )
    encoded = b64(image.data)
    cases = [
        RequestCase(
            "raw standard Base64", _body(ctx, encoded), ACCEPTED, doc, lines=(NO_DATA_PREFIX,)
        ),
        RequestCase(
            "data:image/png;base64, prefix",
            _body(ctx, f"data:image/png;base64,{encoded}"),
            bad,
            doc,
            lines=(NO_DATA_PREFIX,),
        ),
        RequestCase(
            "DATA: prefix in upper case",
            _body(ctx, f"DATA:image/png;base64,{encoded}"),
            bad,
            doc,
            lines=(NO_DATA_PREFIX,),
        ),
        RequestCase(
            "URL-safe alphabet (- and _)",
            _body(ctx, encoded.replace("+", "-").replace("/", "_")),
            bad,
            doc,
        ),
        RequestCase("not Base64 at all", _body(ctx, "%%% not base64 %%%"), bad, doc),
    ]
    run_cases(ctx, cases)


@conformance_check("reference-image-url")
def check_url(ctx: CheckContext) -> None:
    """Images by http URL from the suite's loopback server obey the same rules; a 404 URL fails."""
    bad = invalid_code(ctx)
    doc = ctx.contract.rule("reference-image-url").text
    side, longest = _ratio_limit_sizes(ctx)
    receiver = ctx.receiver
    cases: list[RequestCase] = []
    for index, (width, height, ok) in enumerate(
        [
            (side, side, True),
            (longest, side, True),
            (side - 1, side, False),
            (longest + 1, side, False),
        ]
    ):
        for image in _sized(ctx, width, height):
            url = receiver.image_url(
                f"{ctx.run_nonce}-{index}-{image.format}", image.data, image.content_type
            )
            cases.append(
                RequestCase(
                    f"URL serving {image.describe()}", _body(ctx, url), ACCEPTED if ok else bad, doc
                )
            )
    png = _sized(ctx, side, side)[1]
    octet = receiver.image_url(f"{ctx.run_nonce}-octet", png.data, "application/octet-stream")
    cases.append(
        RequestCase(
            "URL serving a PNG as application/octet-stream (by content)",
            _body(ctx, octet),
            ACCEPTED,
            doc,
        )
    )
    gif = other_format_image("GIF", ctx.rng.randrange(2**32), (side, side))
    cases.append(
        RequestCase(
            "URL serving a GIF",
            _body(ctx, receiver.image_url(f"{ctx.run_nonce}-gif", gif.data, "image/gif")),
            bad,
            doc,
        )
    )
    cases.append(
        RequestCase(
            "URL answering 404", _body(ctx, receiver.missing_image_url(ctx.run_nonce)), bad, doc
        )
    )
    limit = int(ctx.contract.rule("reference-image-max-bytes").params["max_bytes"])
    big = receiver.image_url(f"{ctx.run_nonce}-big", _padded(ctx, limit + 1), "image/png")
    cases.append(RequestCase(f"URL serving a PNG of {limit + 1} bytes", _body(ctx, big), bad, doc))
    run_cases(ctx, cases)
