"""The one retry policy: full-jitter exponential backoff, replayable, honouring an asked-for wait."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.kit.retry import RetryPolicy
from ordertrack.notifications import rules as notification_rules

POLICY = RetryPolicy(max_attempts=4, base=0.5, cap=3.0)


class Unanswered(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("no answer")
        self.retry_after = retry_after


class Refused(Exception):
    pass


def test_the_ceiling_doubles_from_the_base_after_each_failed_try_up_to_the_cap() -> None:
    assert [POLICY.wait().ceiling(attempt) for attempt in range(1, 7)] == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_a_wait_is_drawn_uniformly_under_the_ceiling_from_the_random_source_given() -> None:
    waits = [POLICY.delay(attempt, random.Random(7)) for attempt in (1, 2, 3)]
    assert waits == [random.Random(7).uniform(0, ceiling) for ceiling in (0.5, 1.0, 2.0)]


@given(attempt=st.integers(min_value=1, max_value=2000), seed=st.integers())
def test_no_wait_is_under_the_floor_or_over_the_cap(attempt: int, seed: int) -> None:
    policy = RetryPolicy(max_attempts=3, base=30.0, cap=7200.0, floor=1.0)
    assert 1.0 <= policy.delay(attempt, random.Random(seed)) <= 7200.0


def test_a_policy_needs_at_least_one_try() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0, base=1.0, cap=1.0)


def run_retrying(outcomes: list[Exception | str], **options: object) -> tuple[object, list[float], int]:
    """Runs the policy's loop over scripted outcomes; returns the result, the waits slept, the tries."""
    slept: list[float] = []
    tries = 0

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def scenario() -> object:
        nonlocal tries
        retrying = POLICY.retrying(
            Unanswered,
            rng=random.Random(3),
            asked=lambda failure: getattr(failure, "retry_after", None),
            sleep=sleep,
            **options,  # type: ignore[arg-type]
        )
        async for attempt in retrying:
            with attempt:
                outcome = outcomes[tries]
                tries += 1
                if isinstance(outcome, Exception):
                    raise outcome
                return outcome
        raise AssertionError("the loop returns or raises")

    return asyncio.run(scenario()), slept, tries


def test_a_failure_is_tried_again_after_a_jittered_wait_until_an_answer_comes() -> None:
    result, slept, tries = run_retrying([Unanswered(), Unanswered(), "answer"])

    expected = random.Random(3)
    assert (result, tries) == ("answer", 3)
    assert slept == [expected.uniform(0, 0.5), expected.uniform(0, 1.0)]


def test_the_wait_the_other_side_asked_for_replaces_the_backoff() -> None:
    _, slept, _ = run_retrying([Unanswered(retry_after=12.0), "answer"])
    assert slept == [12.0]


def test_after_the_last_try_the_last_failure_is_raised_as_it_was() -> None:
    last = Unanswered()
    with pytest.raises(Unanswered) as raised:
        run_retrying([Unanswered(), Unanswered(), Unanswered(), last, "never asked"])
    assert raised.value is last


def test_a_failure_that_is_not_worth_retrying_is_raised_at_once() -> None:
    with pytest.raises(Refused):
        run_retrying([Refused(), "never asked"])


def test_a_failed_notification_waits_under_a_ceiling_doubling_from_30_seconds_to_2_hours() -> None:
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (8, 3840), (9, 7200), (40, 7200)]:
        delay = notification_rules.retry_delay(attempts, random.Random(attempts))
        assert delay == timedelta(seconds=max(1.0, random.Random(attempts).uniform(0, ceiling)))
    assert notification_rules.MAX_ATTEMPTS == 8
