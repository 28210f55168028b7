"""The garbage collector, tuned once the server has started.

Start-up leaves a few hundred thousand long-lived objects (FastAPI, pydantic, SQLAlchemy and the
app's own state). With CPython's default thresholds every full collection walks them all again,
and under load full collections came often (request records wait in the request log's queue long
enough to reach the oldest generation): ``make bench`` showed p90 at 48 ms and p99 at 110 ms at
concurrency 32 for a p50 of 7 ms. Freezing the start-up heap takes it out of every later
collection, and a larger first generation collects less often for the same garbage, since
almost everything a request allocates is freed by reference counting anyway. Together: p99 10 ms
and 20% less CPU per request on that bench.
"""

from __future__ import annotations

import gc

# Allocations (less deallocations) of tracked objects before a young collection; CPython's is 700.
YOUNG_THRESHOLD = 10_000


def settle_heap() -> None:
    """Collect what start-up left behind, then keep the survivors out of later collections."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
