"""Per-run simulation flags: usage errors, seeded faults, task durations, concurrency and rate
limits counted the documented way (docs/reference-server.md, "Answers on demand")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from omni_spec import load_contract
from reference_server.account_limits import RateLimiter
from reference_server.cli import build_parser, main, settings_from_args
from reference_server.envelope import ApiError
from reference_server.launcher import RunningServer, start_reference_server
from reference_server.prefer import NO_PREFERENCES
from reference_server.simulation import Simulation
from reference_server.simulation_settings import SimulationSettings
from tests.reference_server.helpers import (
    API_KEYS,
    OTHER_KEY,
    PATH,
    USERS,
    bearer,
    create,
    wait_terminal,
)

CONTRACT = load_contract()


@pytest.mark.parametrize(
    ("flag", "value", "fragment"),
    [
        ("--faults", "1302", "CODE=RATE"),
        ("--faults", "9999=0.1", "not a code of the spec's error table"),
        ("--faults", "1302=1.5", "outside 0..1"),
        ("--faults", "1302=0.6,5000=0.6", "add up to more than 1"),
        ("--faults", "1302=0.1,1302=0.2", "given twice"),
        ("--task-duration", "3..1", "MAX below MIN"),
        ("--task-duration", "a..b", "not a number of seconds"),
        ("--task-duration", "-1", "outside 0..86400"),
        ("--concurrency-limit", "many", "not a whole number"),
        ("--concurrency-limit", "-2", ">= 0"),
        ("--rate-limit", "5", "form N/s"),
        ("--rate-limit", "5/min", "form N/s"),
        ("--rate-limit", "x/s", "not a number"),
        ("--seed", "abc", "not an integer"),
        ("--simulation", "maybe", "neither 'on' nor 'off'"),
    ],
)
def test_bad_simulation_flag_is_a_value_error(flag: str, value: str, fragment: str) -> None:
    """Each malformed simulation flag value is a ValueError naming the flag and the problem."""
    args = build_parser().parse_args([flag, value])
    with pytest.raises(ValueError, match=flag) as raised:
        settings_from_args(args, 8000)
    assert fragment in str(raised.value)


def test_main_exits_2_on_a_bad_flag_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() with --faults 1302=2 is a usage error (exit 2), no traceback, never listening."""
    argv = ["--port", "0", "--database", str(tmp_path / "db.sqlite3"), "--faults", "1302=2"]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    assert exited.value.code == 2 and "--faults" in err
    assert "Traceback" not in err and "listening" not in out


def test_flags_parse_into_settings() -> None:
    """Well-formed values land in the simulation settings."""
    args = build_parser().parse_args(
        ["--faults", "1302=0.05,5000=0.01", "--seed", "7", "--task-duration", "0.5..2",
         "--concurrency-limit", "8", "--rate-limit", "2.5/s"]
    )  # fmt: skip
    sim = settings_from_args(args, 8000).simulation
    assert sim.faults == ((1302, 0.05), (5000, 0.01)) and sim.seed == 7
    assert sim.task_duration == (0.5, 2.0)
    assert (sim.concurrency_limit, sim.rate_limit) == (8, 2.5)


def test_task_duration_draws_stay_in_range_per_step() -> None:
    """--task-duration MIN..MAX draws each step's duration inside the range, not all equal."""
    simulation = Simulation(SimulationSettings(task_duration=(0.5, 2.0), seed=3), step_delay=9)
    draws = [simulation.step_durations(NO_PREFERENCES) for _ in range(50)]
    every = [ms for pair in draws for ms in pair]
    assert all(500 <= ms <= 2000 for ms in every) and len(set(every)) > 10


def test_fault_draws_follow_the_seeded_rate() -> None:
    """At 1302=0.2 over 2,000 draws the fault count is near 400 and the seed fixes it."""

    def faults(seed: int) -> list[int]:
        simulation = Simulation(SimulationSettings(faults=((1302, 0.2),), seed=seed), 0.1)
        seen = []
        for _ in range(2000):
            try:
                simulation.before_operation(NO_PREFERENCES, "u")
                seen.append(0)
            except ApiError as error:
                seen.append(error.code)
        return seen

    first = faults(11)
    assert 300 <= first.count(1302) <= 500  # mean 400, sd ~18
    assert faults(11) == first and faults(12) != first


def test_rate_limiter_counts_per_user_with_a_clock() -> None:
    """N/s: a burst of N, then 1302 with the wait until the next token; users are separate."""
    now = [0.0]
    limiter = RateLimiter(2.0, clock=lambda: now[0])
    limiter.take("a")
    limiter.take("a")
    with pytest.raises(ApiError) as refused:
        limiter.take("a")
    assert refused.value.code == 1302 and refused.value.retry_after == pytest.approx(0.5)
    limiter.take("b")
    now[0] = 0.5
    limiter.take("a")


@pytest.fixture(scope="module")
def faulty() -> Iterator[RunningServer]:
    """A server answering 30% of requests 1302 and 10% 5000, seeded."""
    with start_reference_server(extra_args=["--faults", "1302=0.3,5000=0.1", "--seed", "5"]) as s:
        yield s


def test_faults_at_a_seeded_rate_over_http(faulty: RunningServer) -> None:
    """Over 200 requests the documented codes appear at about their rates, with their statuses."""
    with httpx.Client(headers=bearer(), trust_env=False) as client:
        answers = [client.get(faulty.base_url + PATH) for _ in range(200)]
    codes = [answer.json()["code"] for answer in answers]
    assert 35 <= codes.count(1302) <= 85  # mean 60
    assert 6 <= codes.count(5000) <= 36  # mean 20
    assert codes.count(0) == 200 - codes.count(1302) - codes.count(5000)
    for answer in answers:
        if answer.json()["code"]:
            assert answer.status_code == CONTRACT.error_codes[answer.json()["code"]].status
    assert "faults 1302=0.3,5000=0.1" in "".join(faulty.output)


@pytest.fixture(scope="module")
def limited() -> Iterator[RunningServer]:
    """Two users, an hour per step (tasks stay in flight), at most 4 images in flight each."""
    with start_reference_server(
        users=USERS, api_keys=API_KEYS, step_delay=3600, extra_args=["--concurrency-limit", "4"]
    ) as running:
        yield running


def _code(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["code"]


def test_concurrency_counts_n_of_single_tasks(limited: RunningServer) -> None:
    """n=3 fits, n=2 more would pass 4 (429/1303), n=1 fills it, then even n=1 is refused;
    another user has their own count."""
    base = limited.base_url
    assert create(base, {"prompt": "x", "n": 3}).status_code == 200
    assert _code(create(base, {"prompt": "x", "n": 2})) == (429, 1303)
    assert create(base, {"prompt": "x", "n": 1}).status_code == 200
    assert _code(create(base, {"prompt": "x", "n": 1})) == (429, 1303)
    assert create(base, {"prompt": "x", "n": 4}, key=OTHER_KEY).status_code == 200


def test_concurrency_counts_the_images_a_series_produces() -> None:
    """A series of 4 uses 4 (its n has no effect); finished tasks free their images."""
    series = {"prompt": "x", "model_name": "kling-v3-omni", "result_type": "series",
              "series_amount": 4, "n": 1, "aspect_ratio": "1:1"}  # fmt: skip
    with start_reference_server(step_delay=3600, extra_args=["--concurrency-limit", "5"]) as s:
        assert create(s.base_url, series).status_code == 200
        assert _code(create(s.base_url, {**series, "series_amount": 2})) == (429, 1303)
        assert create(s.base_url, {"prompt": "x", "n": 1}).status_code == 200


def test_auto_series_counts_at_least_two() -> None:
    """An `auto` series produces 2..9 images: with a limit of 1 it never fits, with 9 always."""
    auto = {"prompt": "x", "model_name": "kling-v3-omni", "result_type": "series",
            "series_amount": "auto", "aspect_ratio": "1:1"}  # fmt: skip
    with start_reference_server(step_delay=3600, extra_args=["--concurrency-limit", "1"]) as s:
        assert _code(create(s.base_url, auto)) == (429, 1303)
    with start_reference_server(step_delay=3600, extra_args=["--concurrency-limit", "9"]) as s:
        assert create(s.base_url, auto).status_code == 200


def test_finished_tasks_free_the_concurrency() -> None:
    """Images of a task that ended no longer count: 4 of 4, done, then 4 more fit."""
    with start_reference_server(step_delay=3600, extra_args=["--concurrency-limit", "4"]) as s:
        quick = httpx.post(s.base_url + PATH, json={"prompt": "x", "n": 4},
                           headers={**bearer(), "Prefer": "task-duration=0"})  # fmt: skip
        assert (
            wait_terminal(s.base_url, quick.json()["data"]["task_id"])["task_status"] == "succeed"
        )
        assert create(s.base_url, {"prompt": "x", "n": 4}).status_code == 200
        assert _code(create(s.base_url, {"prompt": "x", "n": 1})) == (429, 1303)


def test_rate_limit_is_429_1302_with_retry_after() -> None:
    """At 0.1/s a second immediate request is 429/1302 with Retry-After; other users are not
    affected."""
    with start_reference_server(
        users=USERS, api_keys=API_KEYS, extra_args=["--rate-limit", "0.1/s"]
    ) as server, httpx.Client(trust_env=False) as client:  # fmt: skip
        url = server.base_url + PATH
        assert client.get(url, headers=bearer()).status_code == 200
        refused = client.get(url, headers=bearer())
        assert _code(refused) == (429, 1302)
        assert int(refused.headers["retry-after"]) >= 1
        assert client.get(url, headers=bearer(OTHER_KEY)).status_code == 200
