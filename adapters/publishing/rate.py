"""Rate limits per key (a token, a chat): the job waits before a request that would exceed one."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class RateLimiter:
    """At most `count` requests per `period` seconds for each key (a sliding window)."""

    def __init__(
        self,
        count: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.count, self.period = max(count, 1), period
        self._clock, self._sleep = clock, sleep
        self._sent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, key: str) -> None:
        """Block until one more request for `key` fits in the window, then count it."""
        while True:
            with self._lock:
                now = self._clock()
                sent = self._sent[key]
                while sent and sent[0] <= now - self.period:
                    sent.popleft()
                if len(sent) < self.count:
                    sent.append(now)
                    return
                pause = sent[0] + self.period - now
            self._sleep(pause)


def per_second(rate: float) -> RateLimiter:
    """`rate` requests per second (below 1: one request every 1/rate seconds)."""
    if rate >= 1:
        return RateLimiter(int(rate), 1.0)
    return RateLimiter(1, 1.0 / rate)
