"""StaffUser: a person who signs in to a merchant's dashboard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column, merchant_column


class StaffUser(Base):
    """A staff login. The email is stored lower-cased and is unique within the merchant."""

    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("merchant_id", "email"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # argon2id, in the PHC string format (parameters travel with the hash).
    password_hash: Mapped[str] = mapped_column(String(200))
    # Part of every session cookie; bumping it (logout, disable) ends all of the user's sessions.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    disabled: Mapped[bool] = mapped_column(default=False)
    # owner: manages staff, settings and API keys; staff: the day-to-day work. Logins made
    # before roles existed were all-powerful, so they became owners.
    role: Mapped[str] = mapped_column(String(16), default="staff", server_default="owner")
    # The one invite or password-reset link that still works names this; using it clears it.
    link_nonce: Mapped[str | None] = mapped_column(String(32))
    invited_at: Mapped[datetime | None]
