"""The keys that sign sessions and API tokens: from the environment or a key file, never from the database.

Anyone who can read the database must not be able to forge a session, so the keys live apart from it:
`EIPKIT_SECRET_KEY` (one key, or several separated by spaces, newest first), else the file named by
`EIPKIT_KEY_FILE`, else `~/.config/eipkit/signing-keys` (created with mode 0600 on first use, one key per line,
newest first). The newest key signs; every key listed still verifies, so rotating (`eipkit keys rotate`) keeps people
signed in until their sessions expire, and dropping the old keys signs everyone out.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from eipkit.errors import EipkitError

KEY_ENV = "EIPKIT_SECRET_KEY"
FILE_ENV = "EIPKIT_KEY_FILE"
MIN_LENGTH = 32


class KeyFileError(EipkitError):
    """A key file or variable that cannot be used."""

    def __init__(self, detail: str) -> None:
        super().__init__("keys.problem", detail=detail)


def key_file() -> Path:
    if os.environ.get(FILE_ENV):
        return Path(os.environ[FILE_ENV])
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "eipkit" / "signing-keys"


def _new_key() -> str:
    return secrets.token_urlsafe(48)


def _write(path: Path, keys: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(keys) + "\n")
    temporary.replace(path)


def _checked(keys: list[str], where: str) -> list[str]:
    if not keys:
        raise KeyFileError(f"{where} holds no key")
    short = [k for k in keys if len(k) < MIN_LENGTH]
    if short:
        raise KeyFileError(f"{where}: a signing key must have at least {MIN_LENGTH} characters")
    return keys


def signing_keys() -> list[str]:
    """The keys, newest first; a key file is created with one new key when there is none yet."""
    if os.environ.get(KEY_ENV):
        return _checked(os.environ[KEY_ENV].split(), KEY_ENV)
    path = key_file()
    if not path.exists():
        _write(path, [_new_key()])
    keys = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return _checked(keys, str(path))


def rotate(keep: int = 1) -> Path:
    """A new signing key in the key file; the `keep` newest old keys still verify (0 signs everyone out)."""
    if os.environ.get(KEY_ENV):
        raise KeyFileError(f"the keys come from {KEY_ENV}: change that variable instead")
    path = key_file()
    old = signing_keys() if path.exists() else []
    _write(path, [_new_key(), *old[: max(keep, 0)]])
    return path
