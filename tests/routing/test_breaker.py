from mlx_manager.routing.breaker import Breakers, BreakerState


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_threshold_then_half_opens_for_one_probe() -> None:
    clock = Clock()
    breakers = Breakers(threshold=3, cooldown=10, clock=clock)
    for _ in range(2):
        breakers.record_failure("p")
        assert breakers.state("p") is BreakerState.CLOSED
    breakers.record_failure("p")
    assert breakers.state("p") is BreakerState.OPEN
    assert not breakers.acquire("p")
    assert breakers.retry_after("p") == 10
    clock.now += 10
    assert breakers.state("p") is BreakerState.HALF_OPEN
    assert breakers.acquire("p")  # the probe
    assert not breakers.acquire("p")  # nobody else while it runs
    breakers.record_success("p")
    assert breakers.state("p") is BreakerState.CLOSED
    assert breakers.acquire("p")


def test_a_failed_probe_reopens_at_once() -> None:
    clock = Clock()
    breakers = Breakers(threshold=2, cooldown=5, clock=clock)
    breakers.record_failure("p")
    breakers.record_failure("p")
    clock.now += 5
    assert breakers.acquire("p")
    breakers.record_failure("p")
    assert breakers.state("p") is BreakerState.OPEN
    assert breakers.retry_after("p") == 5


def test_success_resets_the_count_and_keys_are_independent() -> None:
    breakers = Breakers(threshold=2, cooldown=5, clock=Clock())
    breakers.record_failure("a")
    breakers.record_success("a")
    breakers.record_failure("a")
    assert breakers.state("a") is BreakerState.CLOSED
    breakers.record_failure("b")
    breakers.record_failure("b")
    assert breakers.snapshot() == {"a": BreakerState.CLOSED, "b": BreakerState.OPEN}


def test_released_probe_lets_the_next_request_probe() -> None:
    clock = Clock()
    breakers = Breakers(threshold=1, cooldown=1, clock=clock)
    breakers.record_failure("p")
    clock.now += 1
    assert breakers.acquire("p")
    breakers.release("p")
    assert breakers.acquire("p")
