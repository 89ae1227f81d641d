"""`omni-image`: create a task and download its results, show one task, list tasks.

Exit codes: 0 success; 1 the API refused a request or the task failed / timed out / its results
could not be downloaded; 2 usage errors (bad flags, a reference image breaking a rule, incomplete
credentials) and an unreachable server. Errors are one clear line on stderr, never a traceback.
Choices for --model, --resolution and --aspect-ratio are the spec's enums; the request body is
validated against the spec's `CreateTaskRequest` schema before it is sent. `--retries N` retries
what the spec marks retryable (`omni_client.retries`) and prints one line per retry on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
from omni_image_client import Client
from omni_image_client.models import (
    AspectRatio,
    CreateTaskRequest,
    ElementReference,
    ModelName,
    Resolution,
    ResultType,
    SeriesAmountType1,
    Task,
    WatermarkInfo,
)
from omni_image_client.types import UNSET
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from omni_client.calls import create_task, get_task, list_tasks
from omni_client.errors import OmniClientError
from omni_client.factory import BASE_URL_ENV, DEFAULT_BASE_URL, ConfigurationError, connect
from omni_client.reference_images import ReferenceImageError, check_reference_count, image_list
from omni_client.results import download_results
from omni_client.retries import RetryEvent
from omni_client.task_tables import downloads_table, task_table, tasks_table
from omni_client.waiting import DEFAULT_TIMEOUT_SECONDS, wait_for_task
from omni_spec import load_contract

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A problem with what the user asked for, reported with exit code 2."""


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection (flags win over the environment)")
    group.add_argument(
        "--base-url", help="API base URL [$OMNI_BASE_URL, else http://127.0.0.1:8000]"
    )
    group.add_argument("--access-key", help="access key [$KLING_ACCESS_KEY]")
    group.add_argument("--secret-key", help="secret key [$KLING_SECRET_KEY]")
    group.add_argument("--api-key", help="plain API key instead of a key pair [$KLING_API_KEY]")
    group.add_argument(
        "--timeout", type=_positive_float, help="seconds per HTTP request (default 30)"
    )
    group.add_argument(
        "--retries",
        type=_retry_count,
        default=0,
        metavar="N",
        help="retry each call up to N times on retryable errors (default 0)",
    )
    group.add_argument("--json", action="store_true", help="print JSON instead of tables")
    return common


def _retry_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def _series_amount(text: str) -> int | str:
    return text if text == "auto" else int(text)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; enum choices come from the spec."""
    contract = load_contract()
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="omni-image", description="Kling Omni-Image from the command line."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser(
        "generate", parents=[common], help="create a task, wait, download results"
    )
    generate.add_argument("--prompt", required=True)
    generate.add_argument(
        "--image", action="append", default=[], metavar="PATH_OR_URL", help="reference image"
    )
    generate.add_argument(
        "--element", action="append", default=[], type=int, metavar="ID", help="element id"
    )
    generate.add_argument("--model", choices=contract.enum("ModelName"))
    generate.add_argument("--resolution", choices=contract.enum("Resolution"))
    generate.add_argument("--aspect-ratio", choices=contract.enum("AspectRatio"))
    generate.add_argument("--n", type=int, help="number of images (single)")
    generate.add_argument(
        "--series", type=_series_amount, metavar="N", help="a series of N images (or 'auto')"
    )
    generate.add_argument("--watermark", action="store_true", help="also get watermarked images")
    generate.add_argument("--external-task-id")
    generate.add_argument("--callback-url")
    generate.add_argument("--out", required=True, type=Path, metavar="DIR")
    generate.add_argument(
        "--wait-timeout", type=_positive_float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS"
    )
    generate.add_argument("--poll", type=_positive_float, default=0.5, metavar="SECONDS")

    get = commands.add_parser("get", parents=[common], help="show one task")
    get.add_argument("id", help="task_id or external_task_id")

    listing = commands.add_parser("list", parents=[common], help="list your tasks, newest first")
    listing.add_argument("--page", type=int, help="page number (pageNum)")
    listing.add_argument("--page-size", type=int, help="tasks per page (pageSize)")
    return parser


def build_request(args: argparse.Namespace) -> CreateTaskRequest:
    """The create body from the flags, checked against the spec before anything is sent."""
    check_reference_count(len(args.image), len(args.element))
    body = CreateTaskRequest(
        prompt=args.prompt,
        model_name=ModelName(args.model) if args.model else UNSET,
        image_list=image_list(*args.image) if args.image else UNSET,
        element_list=[ElementReference(element_id=i) for i in args.element] or UNSET,
        resolution=Resolution(args.resolution) if args.resolution else UNSET,
        aspect_ratio=AspectRatio(args.aspect_ratio) if args.aspect_ratio else UNSET,
        n=args.n if args.n is not None else UNSET,
        watermark_info=WatermarkInfo(enabled=True) if args.watermark else UNSET,
        external_task_id=args.external_task_id or UNSET,
        callback_url=args.callback_url or UNSET,
    )
    if args.series is not None:
        body.result_type = ResultType.SERIES
        amount = args.series
        body.series_amount = SeriesAmountType1(amount) if isinstance(amount, str) else amount
    problems = load_contract().schema_problems("CreateTaskRequest", body.to_dict())
    if problems:
        raise UsageError(f"invalid request: {'; '.join(_short(text) for text in problems)}")
    return body


def _short(message: str, limit: int = 200) -> str:
    # A Base64 image in a schema message would flood the terminal.
    return message if len(message) <= limit else message[:limit] + "..."


def _connect(args: argparse.Namespace, err: Console) -> Client:
    def show_retry(event: RetryEvent) -> None:
        # Text, not markup: server messages may contain brackets.
        err.print(Text(event.describe(), style="yellow"))

    return connect(
        base_url=args.base_url,
        access_key=args.access_key,
        secret_key=args.secret_key,
        api_key=args.api_key,
        timeout=args.timeout,
        max_retries=args.retries,
        on_retry=show_retry,
    )


def _print_json(console: Console, document: Any) -> None:
    console.print_json(json.dumps(document))


def _progress_steps() -> dict[str, int]:
    """Bar position per status: its rank in the spec's lifecycle, every terminal status full."""
    lifecycle = load_contract().lifecycle
    return {status: lifecycle.rank(status) + 1 for status in lifecycle.order}


def run_generate(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Create, wait with a progress bar, download; 0 only when every result was saved."""
    body = build_request(args)
    steps = _progress_steps()
    total = max(steps.values())
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with _connect(args, err) as client, Progress(*columns, console=err, transient=True) as progress:
        task = create_task(client, body)
        status = task.task_status.value
        bar = progress.add_task(
            f"task {task.task_id}: {status}", total=total, completed=steps[status]
        )

        def show(seen: Task) -> None:
            status = seen.task_status.value
            progress.update(
                bar, description=f"task {seen.task_id}: {status}", completed=steps.get(status, 0)
            )

        done = wait_for_task(
            client, task.task_id, timeout=args.wait_timeout, poll=args.poll, on_progress=show
        )
    saved = download_results(done, args.out)
    if args.json:
        _print_json(out, {"task": done.to_dict(), "files": [str(image.path) for image in saved]})
    else:
        out.print(task_table(done))
        out.print(downloads_table(saved))
    return EXIT_OK


def run_get(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Show one task."""
    with _connect(args, err) as client:
        task = get_task(client, args.id)
    if args.json:
        _print_json(out, task.to_dict())
    else:
        out.print(task_table(task))
    return EXIT_OK


def run_list(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Show one page of tasks."""
    with _connect(args, err) as client:
        tasks = list_tasks(client, page_num=args.page, page_size=args.page_size)
    if args.json:
        _print_json(out, [task.to_dict() for task in tasks])
    else:
        out.print(tasks_table(tasks, title=f"tasks, page {args.page or 1}"))
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Console, Console], int]] = {
    "generate": run_generate,
    "get": run_get,
    "list": run_list,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `omni-image` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    out, err = Console(), Console(stderr=True)

    def fail(text: str, code: int) -> int:
        # Text, not markup: server messages may contain brackets.
        err.print(Text.assemble(("error: ", "bold red"), text))
        return code

    try:
        return COMMANDS[args.command](args, out, err)
    except (UsageError, ReferenceImageError, ConfigurationError) as exc:
        return fail(str(exc), EXIT_USAGE)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
        where = args.base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        return fail(f"cannot reach {where}: {exc}", EXIT_USAGE)
    except httpx.HTTPError as exc:
        return fail(f"HTTP failure: {exc}", EXIT_FAILURE)
    except OmniClientError as exc:
        return fail(str(exc), EXIT_FAILURE)
    except OSError as exc:
        return fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)
    except Exception as exc:  # the promise is "never a traceback"; say what broke instead
        return fail(f"internal error ({type(exc).__name__}): {exc}", EXIT_FAILURE)


if __name__ == "__main__":
    sys.exit(main())
