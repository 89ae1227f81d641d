"""Tests of the omni-image CLI: exit codes, clear errors, and runs against the reference server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from omni_image_client import Client
from PIL import Image

from omni_client import cli
from omni_client.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, build_parser, build_request, main
from omni_client.factory import connect
from omni_spec import load_contract
from tests.omni_client.canned import envelope, task_dict

N_MAX = load_contract().resolve("/components/schemas/CreateTaskRequest/properties/n/maximum")


def test_choices_come_from_the_spec() -> None:
    """--model, --resolution and --aspect-ratio accept every value of the spec's enums."""
    contract = load_contract()
    parser = build_parser()
    for flag, schema in (
        ("--model", "ModelName"),
        ("--resolution", "Resolution"),
        ("--aspect-ratio", "AspectRatio"),
    ):
        for value in contract.enum(schema):
            args = parser.parse_args(["generate", "--prompt", "p", flag, value, "--out", "x"])
            assert getattr(args, flag[2:].replace("-", "_")) == value


def test_bad_choice_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown resolution exits 2 with argparse's message."""
    with pytest.raises(SystemExit) as caught:
        main(["generate", "--prompt", "p", "--resolution", "8k", "--out", "x"])
    assert caught.value.code == EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err


def test_schema_violation_is_caught_before_sending(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--n one over the spec's maximum: exit 2 naming the field, nothing sent (no server here)."""
    code = main(
        [
            "generate",
            "--prompt",
            "p",
            "--n",
            str(N_MAX + 1),
            "--out",
            str(tmp_path),
            "--base-url",
            "http://127.0.0.1:1",
        ]
    )
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert f"n: {N_MAX + 1} is greater than the maximum of {N_MAX}" in err
    assert "Traceback" not in err


def test_gif_reference_is_usage_error_naming_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A GIF --image exits 2 naming reference-image-format."""
    gif = tmp_path / "a.gif"
    Image.new("RGB", (400, 400)).save(gif, format="GIF")
    code = main(["generate", "--prompt", "p", "--image", str(gif), "--out", str(tmp_path)])
    assert code == EXIT_USAGE
    assert "reference-image-format" in capsys.readouterr().err


def test_unreachable_server_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A refused loopback connection exits 2 with 'cannot reach', no traceback."""
    code = main(["list", "--base-url", "http://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert "cannot reach http://127.0.0.1:1" in err
    assert "Traceback" not in err


def test_half_key_pair_is_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--access-key without --secret-key exits 2."""
    monkeypatch.delenv("KLING_SECRET_KEY", raising=False)
    assert main(["list", "--access-key", "ak", "--base-url", "http://127.0.0.1:1"]) == EXIT_USAGE
    assert "go together" in capsys.readouterr().err


def test_generate_downloads_results(
    base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """generate creates, waits and writes n files into --out; exit 0."""
    out = tmp_path / "out"
    code = main(
        [
            "generate",
            "--prompt",
            "three foxes",
            "--n",
            "3",
            "--aspect-ratio",
            "16:9",
            "--out",
            str(out),
            "--poll",
            "0.05",
            "--json",
        ]
    )
    assert code == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["task"]["task_status"] == "succeed"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f.rsplit("/", 1)[-1] for f in report["files"]
    )
    assert len(report["files"]) == 3


def test_generate_series_with_reference_image(
    base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--series with --image and the v3 model downloads a series; tables are printed."""
    image = tmp_path / "ref.jpg"
    Image.new("RGB", (600, 400), "teal").save(image, format="JPEG")
    code = main(
        [
            "generate",
            "--prompt",
            "seasons of <<<image_1>>>",
            "--image",
            str(image),
            "--model",
            "kling-v3-omni",
            "--series",
            "2",
            "--out",
            str(tmp_path / "o"),
            "--poll",
            "0.05",
        ]
    )
    assert code == EXIT_OK
    assert "series_images" in capsys.readouterr().out
    assert len(list((tmp_path / "o").iterdir())) == 2


def test_generate_failed_task_is_exit_1(
    base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A task ending failed exits 1 with its task_status_msg."""
    code = main(["generate", "--prompt", "x omni:fail", "--out", str(tmp_path), "--poll", "0.05"])
    assert code == EXIT_FAILURE
    assert "failed" in capsys.readouterr().err


def test_get_and_list(base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """get shows a task (by external id too) and list shows it; unknown id exits 1 with code 1203."""
    external_id = f"cli-ext-{uuid.uuid4().hex}"  # unique per run: external ids are unique per user
    assert (
        main(
            [
                "generate",
                "--prompt",
                "kept",
                "--external-task-id",
                external_id,
                "--out",
                str(tmp_path),
                "--poll",
                "0.05",
                "--json",
            ]
        )
        == EXIT_OK
    )
    task_id = json.loads(capsys.readouterr().out)["task"]["task_id"]
    assert main(["get", external_id, "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["task_id"] == task_id
    assert main(["list", "--page-size", "500"]) == EXIT_OK
    assert task_id[:8] in capsys.readouterr().out
    assert main(["get", "does-not-exist"]) == EXIT_FAILURE
    err = capsys.readouterr().err
    assert "1203" in err and load_contract().error_codes[1203].meaning in err


def test_api_key_flag(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--api-key authenticates with the plain key."""
    assert main(["list", "--api-key", "omni-dev-api-key", "--json"]) == EXIT_OK
    assert isinstance(json.loads(capsys.readouterr().out), list)


def test_wrong_key_is_exit_1(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong API key is an authentication error, exit 1."""
    assert main(["list", "--api-key", "wrong-key"]) == EXIT_FAILURE
    assert "401" in capsys.readouterr().err


def test_build_request_maps_flags_to_the_body() -> None:
    """--series auto, --element, --watermark and --model become the matching body fields."""
    args = build_parser().parse_args(
        ["generate", "--prompt", "p <<<element_1>>>", "--element", "1001", "--series", "auto",
         "--watermark", "--model", "kling-v3-omni", "--out", "x"]
    )  # fmt: skip
    body = build_request(args).to_dict()
    assert body["result_type"] == "series"
    assert body["series_amount"] == "auto"
    assert body["element_list"] == [{"element_id": 1001}]
    assert body["watermark_info"] == {"enabled": True}
    assert body["model_name"] == "kling-v3-omni"
    assert "image_list" not in body


@pytest.mark.parametrize("argv", [["get", "t"], ["list"]])
def test_commands_close_their_client(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """get and list close the HTTP client they opened once the command is done."""
    opened: list[Client] = []

    def answer(request: httpx.Request) -> httpx.Response:
        data: Any = [task_dict()] if request.url.path.endswith("omni-image") else task_dict()
        return httpx.Response(200, json=envelope(data))

    def fake_connect(**kwargs: Any) -> Client:
        opened.append(connect(transport=httpx.MockTransport(answer), **kwargs))
        return opened[-1]

    monkeypatch.setattr(cli, "connect", fake_connect)
    assert main([*argv, "--json"]) == EXIT_OK
    assert [client.get_httpx_client().is_closed for client in opened] == [True]
