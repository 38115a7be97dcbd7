"""Signed values (links, cookies, form tokens) with one library, itsdangerous, and key rotation.

Every signed value names its *purpose* (the itsdangerous salt): a value signed for one use
never verifies for another, even under the same key. The current key signs; the keys it
replaced still verify, so an operator can rotate the secret without breaking the links
already printed on labels and sent in emails. A value may carry the moment it stops
working; time comes in as an argument, so expiry is tested without a clock.

Two shapes: :meth:`Signer.sign` makes a token that carries its value (read it back with
:meth:`Signer.unsign`); :meth:`Signer.signature` makes a detached signature of a message the
reader already holds (a form token bound to a cookie), checked with :meth:`Signer.verifies`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from itsdangerous import BadData, URLSafeSerializer, base64_decode, base64_encode

# Longer than any link or cookie we make; a longer input is refused before any hashing.
MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class SigningKeys:
    """The key that signs now, and the retired keys (newest first) that still verify."""

    # Kept out of repr: a logged object must not print the keys.
    current: str = field(repr=False)
    previous: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if not self.current or not all(self.previous):
            raise ValueError("a signing key must not be empty")

    def oldest_first(self) -> list[str]:
        """The order itsdangerous takes: every key verifies, the last one signs."""
        return [*reversed(self.previous), self.current]


def _canonical(signature: str) -> bool:
    """True for the one spelling of a signature that itsdangerous writes. Its decoder ignores
    the spare bits of the last base64 character, so without this check some one-character
    edits of a token would still verify: harmless, but a tampered token should never pass."""
    try:
        return base64_encode(base64_decode(signature)).decode("ascii") == signature
    except BadData:  # not base64 at all
        return False


class Signer:
    """Signs and verifies values for one purpose."""

    def __init__(self, keys: SigningKeys, purpose: str) -> None:
        if not purpose:
            raise ValueError("a signed value needs a purpose")
        self._serializer = URLSafeSerializer(
            keys.oldest_first(), salt=purpose, signer_kwargs={"digest_method": hashlib.sha256}
        )

    def sign(self, value: Any, *, expires_at: datetime | None = None) -> str:
        """A URL-safe token carrying ``value`` (JSON data), good until ``expires_at`` if given."""
        expires = int(expires_at.timestamp()) if expires_at is not None else None
        return self._serializer.dumps([value, expires])

    def unsign(self, token: str | None, *, now: datetime) -> Any | None:
        """The value of a token signed here for this purpose and not expired at ``now``; else None."""
        if not token or len(token) > MAX_TOKEN_LENGTH or not _canonical(token.rpartition(".")[2]):
            return None
        try:
            value, expires = self._serializer.loads(token)
        except (BadData, ValueError, TypeError):
            return None
        if expires is not None and (not isinstance(expires, int) or now.timestamp() >= expires):
            return None
        return value

    def signature(self, message: str) -> str:
        """A detached signature of ``message``, made with the current key."""
        return self._serializer.make_signer().get_signature(message).decode("ascii")

    def verifies(self, message: str, signature: str | None) -> bool:
        """True when ``signature`` is this purpose's signature of ``message`` under any key."""
        if not signature or len(signature) > MAX_TOKEN_LENGTH or not _canonical(signature):
            return False
        return self._serializer.make_signer().verify_signature(message, signature)
