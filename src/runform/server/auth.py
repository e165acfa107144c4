"""Coaches' passwords, logins, cookies, CSRF, throttling, and athletes' private links.

A coach logs in with an email and a password (hashed with argon2id). A
login makes a random session token, sent as an ``HttpOnly``,
``SameSite=Lax`` cookie (``Secure`` behind TLS) and stored only as its
SHA-256, and a CSRF token returned in the JSON: every unsafe request
(``POST``, ``PUT``, ``PATCH``, ``DELETE``) made with the cookie must carry
it in the ``X-CSRF-Token`` header. Failed logins are recorded and, past
:data:`MAX_FAILURES_PER_ACCOUNT` for one account or
:data:`MAX_FAILURES_PER_ADDRESS` from one client address within
:data:`THROTTLE_WINDOW`, further attempts are refused with HTTP 429.

An athlete has no account: their link holds a token (shown once, stored as
its SHA-256) that a coach can rotate or revoke.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

import argon2
from fastapi import Depends, HTTPException, Request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from runform.server.context import ContextDep
from runform.server.database import open_session
from runform.server.models import Athlete, AuthSession, Coach, LoginAttempt, now_utc

__all__ = [
    "CSRF_HEADER",
    "MIN_PASSWORD_CHARS",
    "SESSION_COOKIE",
    "CoachDep",
    "CoachIdentity",
    "LoginRefused",
    "NewLogin",
    "check_password_rules",
    "count_coaches",
    "create_coach",
    "find_identity",
    "find_linked_athlete",
    "hash_password",
    "hash_token",
    "log_in",
    "log_out",
    "normalise_email",
    "require_coach",
    "revoke_link",
    "rotate_link",
]

SESSION_COOKIE = "runform_session"
CSRF_HEADER = "X-CSRF-Token"
#: How long a login lasts.
SESSION_LIFETIME = dt.timedelta(days=14)
#: Failed logins are counted over this window.
THROTTLE_WINDOW = dt.timedelta(minutes=15)
#: Failed logins allowed for one account within the window.
MAX_FAILURES_PER_ACCOUNT = 5
#: Failed logins allowed from one client address within the window (an
#: office or a club behind one address gets more than one account does).
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def hash_token(token: str) -> str:
    """Return the SHA-256 (hex) under which a cookie or link token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    """Return an email address as accounts are keyed: stripped, lower case."""
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    """Raise ``ValueError`` for a password too short or too long to accept."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"the password must have at most {MAX_PASSWORD_CHARS} characters")


def hash_password(password: str) -> str:
    """Hash a password with argon2id (the library's recommended parameters)."""
    return argon2.PasswordHasher().hash(password)


def _verify_password(stored: str, password: str) -> tuple[bool, str | None]:
    """Return (matches, a new hash when the parameters changed since it was stored)."""
    hasher = argon2.PasswordHasher()
    try:
        hasher.verify(stored, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False, None
    return True, hasher.hash(password) if hasher.check_needs_rehash(stored) else None


def create_coach(db: DbSession, email: str, password: str, name: str = "") -> Coach:
    """Add a coach's account.

    Raises
    ------
    ValueError
        For an address without ``@``, a weak password or an existing account.
    """
    address = normalise_email(email)
    if "@" not in address or len(address) > 320 or any(c.isspace() for c in address):
        raise ValueError(f"not an email address: {email!r}")
    check_password_rules(password)
    if db.scalar(select(Coach.id).where(Coach.email == address)) is not None:
        raise ValueError(f"a coach with the address {address} already exists")
    coach = Coach(email=address, name=name.strip()[:200], password_hash=hash_password(password))
    db.add(coach)
    db.flush()
    return coach


@dataclass(frozen=True)
class CoachIdentity:
    """The coach a request is made by.

    Attributes
    ----------
    coach_id, email, name
        The account.
    csrf_token
        What unsafe requests of this login must send in ``X-CSRF-Token``.
    """

    coach_id: int
    email: str
    name: str
    csrf_token: str


@dataclass(frozen=True)
class NewLogin:
    """A login that succeeded: the cookie's token (never stored) and its expiry."""

    identity: CoachIdentity
    token: str
    expires: dt.datetime


class LoginRefused(Exception):
    """A login that did not succeed: wrong credentials, or throttled.

    Attributes
    ----------
    retry_after_s
        Seconds until another attempt is allowed when throttled, else ``None``.
    """

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _retry_after(db: DbSession, keys: dict[str, int], now: dt.datetime) -> int | None:
    """Seconds until the throttled key (if any) allows another attempt."""
    since = now - THROTTLE_WINDOW
    waits = []
    for key, limit in keys.items():
        times = db.scalars(
            select(LoginAttempt.at)
            .where(LoginAttempt.key == key, LoginAttempt.at > since)
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        ).all()
        if len(times) >= limit:  # allowed again when the limit-th most recent leaves the window
            waits.append((_aware(times[-1]) + THROTTLE_WINDOW - now).total_seconds())
    return max(1, int(max(waits)) + 1) if waits else None


def log_in(
    db: DbSession, email: str, password: str, address: str, now: dt.datetime | None = None
) -> NewLogin:
    """Check a coach's credentials and open a login.

    Parameters
    ----------
    db
        An open database session (the caller commits, also on failure:
        failed attempts are recorded).
    email, password
        What the coach typed.
    address
        The client's address, for the per-address throttle.
    now
        The current time (UTC); for tests.

    Raises
    ------
    LoginRefused
        Unknown account or wrong password (the same message for both), or
        too many recent failures (with ``retry_after_s``).
    """
    now = now or now_utc()
    account = normalise_email(email)[:320]
    keys = {f"email:{account}": MAX_FAILURES_PER_ACCOUNT,
            f"ip:{address}"[:400]: MAX_FAILURES_PER_ADDRESS}  # fmt: skip
    db.execute(delete(LoginAttempt).where(LoginAttempt.at < now - THROTTLE_WINDOW))
    wait = _retry_after(db, keys, now)
    if wait is not None:
        raise LoginRefused("too many failed logins; try again later", retry_after_s=wait)
    coach = db.scalar(select(Coach).where(Coach.email == account))
    if coach is None:
        hash_password(password[:MAX_PASSWORD_CHARS])  # the same work: no timing tells who exists
        matches, rehashed = False, None
    else:
        matches, rehashed = _verify_password(coach.password_hash, password[:MAX_PASSWORD_CHARS])
    if coach is None or not matches:
        db.add_all([LoginAttempt(key=key, at=now) for key in keys])
        raise LoginRefused("wrong email or password")
    if rehashed is not None:
        coach.password_hash = rehashed
    db.execute(delete(LoginAttempt).where(LoginAttempt.key == f"email:{account}"))
    db.execute(delete(AuthSession).where(AuthSession.expires < now))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    db.add(AuthSession(token_hash=hash_token(token), coach_id=coach.id, csrf_token=csrf,
                       created=now, expires=expires))  # fmt: skip
    return NewLogin(CoachIdentity(coach.id, coach.email, coach.name, csrf), token, expires)


def log_out(db: DbSession, token: str) -> None:
    """End the login whose cookie holds ``token`` (nothing happens for an unknown one)."""
    db.execute(delete(AuthSession).where(AuthSession.token_hash == hash_token(token)))


def find_identity(
    db: DbSession, token: str, now: dt.datetime | None = None
) -> CoachIdentity | None:
    """Return the coach whose unexpired login holds ``token``, else ``None``."""
    now = now or now_utc()
    row = db.execute(
        select(AuthSession, Coach)
        .join(Coach, Coach.id == AuthSession.coach_id)
        .where(AuthSession.token_hash == hash_token(token))
    ).first()
    if row is None or _aware(row[0].expires) <= now:
        return None
    login, coach = row
    return CoachIdentity(coach.id, coach.email, coach.name, login.csrf_token)


def require_coach(request: Request, context: ContextDep) -> CoachIdentity:
    """FastAPI dependency: the logged-in coach, with the CSRF token checked.

    Raises
    ------
    HTTPException
        401 without a valid login cookie; 403 for an unsafe method whose
        ``X-CSRF-Token`` header is missing or wrong.
    """
    token = request.cookies.get(SESSION_COOKIE)
    identity = None
    if token:
        with open_session(context.sessions) as db:
            identity = find_identity(db, token)
    if identity is None:
        raise HTTPException(401, "log in first", headers={"WWW-Authenticate": "Cookie"})
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent.encode(), identity.csrf_token.encode()):
            raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header")
    return identity


#: A route parameter receiving the logged-in coach (401 without a login, 403 without CSRF).
CoachDep = Annotated[CoachIdentity, Depends(require_coach)]


def rotate_link(athlete: Athlete) -> str:
    """Give an athlete a new private link token (the old one stops working); return it."""
    token = secrets.token_urlsafe(32)
    athlete.token_hash = hash_token(token)
    return token


def revoke_link(athlete: Athlete) -> None:
    """Take away an athlete's link: no token reaches them any more."""
    athlete.token_hash = None


def find_linked_athlete(db: DbSession, token: str) -> Athlete | None:
    """Return the athlete whose current link holds ``token``, else ``None``."""
    if not token or len(token) > 200:
        return None
    return db.scalar(select(Athlete).where(Athlete.token_hash == hash_token(token)))


def count_coaches(db: DbSession) -> int:
    """Return how many coach accounts there are."""
    return int(db.scalar(select(func.count()).select_from(Coach)) or 0)
