"""pyHanko's synchronous API runs its own event loop (asyncio.run); signing must still work in a
thread that already runs one (Playwright's journeys, an ASGI server)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from certificates import signing


async def answer():
    return 42


def test_a_sync_call_that_runs_a_loop_works_inside_a_running_loop():
    async def inside():
        return signing._outside_event_loop(lambda: asyncio.run(answer()))

    # In a fresh thread: a browser test before this one may leave a loop in the test's thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside()).result() == 42
