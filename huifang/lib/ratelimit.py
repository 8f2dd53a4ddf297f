"""A fixed-window request limit per key (e.g. per client IP), kept in Django's cache.

With the default local-memory cache each server process counts on its own, so
the effective limit is the limit times the number of processes; a shared cache
backend in Django's CACHES setting (database, Redis) counts across them.
"""

import time

from django.core.cache import cache


def over_limit(key: str, *, limit: int, window_s: int) -> bool:
    """Count one hit for `key`; True when the key has had more than `limit` in this window."""
    bucket = f"ratelimit:{key}:{int(time.time()) // window_s}"
    if cache.add(bucket, 1, timeout=window_s + 1):
        return False
    try:
        hits = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window_s + 1)
        return False
    return hits > limit
