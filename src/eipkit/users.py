"""People who sign in: accounts with a role, passwords hashed with Argon2id, sign-in throttled, and the audit log
of every change made in their name."""

from __future__ import annotations

import datetime as dt
import json
import time
import zlib
from collections.abc import Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from eipkit import provinces
from eipkit.access import ROLES, User
from eipkit.i18n import LocalisedError
from eipkit.store import Database, schema

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=5)
_hasher = PasswordHasher()


class LoginRefused(LocalisedError):
    pass


class BadUser(LocalisedError):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite gives naive datetimes back


def _user(session: Session, account: schema.UserAccount) -> User:
    assigned = list(session.scalars(select(schema.UserAssignment).where(schema.UserAssignment.user_id == account.id)))
    park_id = account.park_id
    if account.role == "enterprise" and account.enterprise_id and park_id is None:
        own = session.get(schema.Enterprise, account.enterprise_id)
        park_id = own.park_id if own else None
    return User(
        account.username,
        account.role,
        account.name,
        account.province,
        park_id,
        account.enterprise_id,
        frozenset(a.park_id for a in assigned if a.park_id),
        frozenset(a.enterprise_id for a in assigned if a.enterprise_id),
        account.session_version or 0,
    )


def add_user(
    database: Database,
    username: str,
    password: str,
    role: str,
    name: str = "",
    province: str | None = None,
    park_id: str | None = None,
    enterprise_id: str | None = None,
    parks: Iterable[str] = (),
    enterprises: Iterable[str] = (),
) -> User:
    """Create or replace an account (replacing resets its password, failures and assignments)."""
    if role not in ROLES:
        raise BadUser("user.role", role=role, known=", ".join(ROLES))
    needed = {"board": province, "coordinator": park_id, "enterprise": enterprise_id}
    if role in needed and not needed[role]:
        raise BadUser("user.place", role=role)
    if len(password) < 8:
        raise BadUser("user.password")
    if province:
        province = provinces.resolve(province).name  # a board of "Long An" oversees Tây Ninh since July 2025
    with database.transaction(changes_data=False) as session:
        account = session.scalar(select(schema.UserAccount).where(schema.UserAccount.username == username))
        if account is None:
            account = schema.UserAccount(username=username, created_at=_now(), session_version=0)
            session.add(account)
        else:  # a new password or role: sessions and tokens of the old account end
            account.session_version = (account.session_version or 0) + 1
        account.password_hash = _hasher.hash(password)
        account.role, account.name = role, name or username
        account.province, account.park_id, account.enterprise_id = province, park_id, enterprise_id
        account.failed_logins, account.locked_until = 0, None
        session.flush()
        for old in session.scalars(select(schema.UserAssignment).where(schema.UserAssignment.user_id == account.id)):
            session.delete(old)
        for park in parks:
            session.add(schema.UserAssignment(user_id=account.id, park_id=park))
        for enterprise in enterprises:
            session.add(schema.UserAssignment(user_id=account.id, enterprise_id=enterprise))
        session.flush()
        return _user(session, account)


def authenticate(database: Database, username: str, password: str, now: dt.datetime | None = None) -> User:
    """The user when the password is right; after MAX_FAILURES wrong passwords in a row the account is locked for
    LOCKOUT, right password or not. The same refusal for an unknown name and a wrong password.

    The attempt is counted before the password is checked, in one UPDATE, so that parallel guesses cannot all
    pass the check of a count none of them has raised yet: only MAX_FAILURES of them are ever checked.
    """
    now = now or _now()
    accounts = schema.UserAccount
    with database.transaction(changes_data=False) as session:
        counted = session.execute(
            update(accounts)
            .where(accounts.username == username)
            .where((accounts.locked_until.is_(None)) | (accounts.locked_until <= now))
            .values(failed_logins=accounts.failed_logins + 1)
            .returning(accounts.id, accounts.failed_logins, accounts.password_hash)
        ).first()
        if counted is None:
            locked_until = session.scalar(select(accounts.locked_until).where(accounts.username == username))
    if counted is None:
        if locked_until is None:
            _hasher.hash(password)  # as slow as a real check: the reply time does not tell which names exist
            raise LoginRefused("login.refused")
        raise LoginRefused("login.locked", minutes=int((_aware(locked_until) - now).total_seconds() // 60) + 1)
    account_id, attempts, password_hash = counted
    if attempts > MAX_FAILURES:  # other attempts in flight have used this account's allowance
        raise LoginRefused("login.locked", minutes=int(LOCKOUT.total_seconds() // 60))
    try:
        _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        if attempts == MAX_FAILURES:
            with database.transaction(changes_data=False) as session:
                session.execute(
                    update(accounts)
                    .where(accounts.id == account_id)
                    .values(locked_until=now + LOCKOUT, failed_logins=0)
                )
        raise LoginRefused("login.refused") from None
    with database.transaction(changes_data=False) as session:
        account = session.get(accounts, account_id)
        assert account is not None  # found above, and accounts are never deleted
        account.failed_logins, account.locked_until = 0, None
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = _hasher.hash(password)
        return _user(session, account)


def count_sign_in(database: Database, client: str, limit: int, window: float, now: float | None = None) -> int | None:
    """An attempt to sign in from `client` counted as a failure from the moment it starts, so that parallel
    attempts cannot all pass before any has failed; returns its mark for `sign_in_succeeded`, or None when the
    client already made `limit` attempts within `window` seconds. Kept in the database, so that every web process
    counts the same attempts."""
    now = time.time() if now is None else now
    with database.transaction(changes_data=False) as session:
        if session.get_bind().dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises
            session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(client.encode()))))
        attempts = schema.SignInAttempt
        session.execute(delete(attempts).where(attempts.client == client, attempts.at < now - window))
        recent = session.scalar(select(func.count(attempts.id)).where(attempts.client == client))
        if (recent or 0) >= limit:
            return None
        attempt = attempts(client=client, at=now)
        session.add(attempt)
        session.flush()
        return attempt.id


def sign_in_succeeded(database: Database, mark: int) -> None:
    """A right password takes its attempt back."""
    with database.transaction(changes_data=False) as session:
        session.execute(delete(schema.SignInAttempt).where(schema.SignInAttempt.id == mark))


def end_sessions(database: Database, username: str) -> None:
    """Sign the account out everywhere: every session cookie and bearer token issued so far stops working."""
    accounts = schema.UserAccount
    with database.transaction(changes_data=False) as session:
        session.execute(
            update(accounts).where(accounts.username == username).values(session_version=accounts.session_version + 1)
        )


def find(database: Database, username: str) -> User | None:
    with database.sessions() as session:
        account = session.scalar(select(schema.UserAccount).where(schema.UserAccount.username == username))
        return None if account is None else _user(session, account)


def audit(
    session: Session,
    user: User,
    action: str,
    entity: str,
    entity_id: str | None,
    before: Any = None,
    after: Any = None,
    park_id: str | None = None,
) -> None:
    """Record a change in the session that makes it, so the trail and the change land together or not at all."""
    session.add(
        schema.AuditEntry(
            at=_now(),
            username=user.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            park_id=park_id,
            before=None if before is None else json.dumps(before, ensure_ascii=False, default=str),
            after=None if after is None else json.dumps(after, ensure_ascii=False, default=str),
        )
    )


def audit_log(
    database: Database, limit: int = 200, park_ids: Iterable[str] | None = None, username: str | None = None
) -> list[dict[str, Any]]:
    """The latest changes, newest first; only those of these parks, or by this user, when given (either matches)."""
    query = select(schema.AuditEntry).order_by(schema.AuditEntry.id.desc()).limit(limit)
    if park_ids is not None or username is not None:
        query = query.where(
            schema.AuditEntry.park_id.in_(list(park_ids or ())) | (schema.AuditEntry.username == (username or ""))
        )
    with database.sessions() as session:
        entries = session.scalars(query)
        return [
            {
                "at": e.at,
                "username": e.username,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "park_id": e.park_id,
                "before": json.loads(e.before) if e.before else None,
                "after": json.loads(e.after) if e.after else None,
            }
            for e in entries
        ]
