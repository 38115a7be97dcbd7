"""Public identifiers: a short type prefix and a time-ordered random part (ULID layout).

Time-ordered ids keep B-tree inserts local and make ``id`` a stable cursor for pagination.
"""

from __future__ import annotations

import base64
import os
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
_FROM_RFC4648 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _ALPHABET)


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """``prefix_`` + 10 chars of milliseconds + 16 chars of randomness."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    return f"{prefix}_{_encode(millis, 10)}{_encode(rand, 16)}"


def new_ids(prefix: str, count: int) -> list[str]:
    """``count`` ids laid out as :func:`new_id` lays them out, from one clock reading, for bulk
    writes (several times quicker than one call each). Ten random bytes are exactly 16 base32
    characters, so one encoding of all the randomness splits cleanly into the ids' tails."""
    head = f"{prefix}_{_encode(time.time_ns() // 1_000_000, 10)}"
    tails = base64.b32encode(os.urandom(10 * count)).decode("ascii").translate(_FROM_RFC4648)
    return [head + tails[start : start + 16] for start in range(0, 16 * count, 16)]
