"""Sign-in for the admin page: password check, session secret, CSRF tokens, a cap on failed attempts."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import time
from contextlib import contextmanager
from pathlib import Path

from flask import abort, current_app, request, session
from werkzeug.security import check_password_hash

from ..config import Settings

SECRET_KEY_FILE = "secret_key"
ATTEMPTS_FILE = "admin_attempts.json"
MAX_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW_SECONDS = 15 * 60
SESSION_HOURS = 8


def secret_key(settings: Settings) -> str:
    """Return KIL_SECRET_KEY, or the key kept in the index folder (made once, readable only by us)."""
    if settings.secret_key:
        return settings.secret_key
    index_dir = Path(settings.index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / SECRET_KEY_FILE
    if not path.exists():
        temporary = index_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)  # the first worker to get here wins; the others read its key
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


def password_matches(settings: Settings, given: str) -> bool:
    """Compare a typed password with the configured one in constant time."""
    if settings.admin_password_hash:
        try:
            return check_password_hash(settings.admin_password_hash, given)
        except ValueError:
            return False
    wanted = hashlib.sha256(settings.admin_password.encode()).digest()
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), wanted)


def _credential_stamp(settings: Settings) -> str:
    """Return a keyed hash of the configured credential: changing the password signs everyone out."""
    credential = settings.admin_password_hash or settings.admin_password
    return hmac.new(current_app.secret_key.encode(), credential.encode(), hashlib.sha256).hexdigest()[:32]


def sign_in(settings: Settings) -> None:
    """Start a fresh signed-in session (a new CSRF token too)."""
    session.clear()
    session.permanent = True
    session["admin"] = _credential_stamp(settings)
    session["csrf"] = secrets.token_urlsafe(32)


def signed_in(settings: Settings) -> bool:
    """True when this session signed in with the current credential."""
    stamp = session.get("admin")
    return isinstance(stamp, str) and hmac.compare_digest(stamp, _credential_stamp(settings))


def csrf_token() -> str:
    """Return this session's CSRF token, making one if needed."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a POST whose form token does not match the session's."""
    sent = request.form.get("csrf_token", "")
    wanted = session.get("csrf", "")
    if not wanted or not hmac.compare_digest(sent.encode(), wanted.encode()):
        abort(400, "The form has expired or did not come from this site. Go back, reload the page and try again.")


class FailedSignIns:
    """Count failed sign-ins per client address in a file, so every server process sees them."""

    def __init__(self, index_dir: Path, limit: int = MAX_FAILED_ATTEMPTS, window: float = ATTEMPT_WINDOW_SECONDS):
        self.path = Path(index_dir) / ATTEMPTS_FILE
        self.limit = limit
        self.window = window

    def blocked(self, address: str) -> bool:
        """True when the address failed `limit` times within the window."""
        with self._records() as records:
            return len(records.get(address, [])) >= self.limit

    def record_failure(self, address: str) -> None:
        """Remember one failed attempt."""
        with self._records() as records:
            records.setdefault(address, []).append(time.time())

    def clear(self, address: str) -> None:
        """Forget an address's failures after it signed in."""
        with self._records() as records:
            records.pop(address, None)

    @contextmanager
    def _records(self):
        """Yield the recent failures by address under a lock, then save them."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(f".{self.path.name}.lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = json.loads(self.path.read_text())
            except (OSError, ValueError):
                data = {}
            cutoff = time.time() - self.window
            records = {address: [stamp for stamp in stamps if stamp > cutoff]
                       for address, stamps in data.items() if isinstance(stamps, list)}
            records = {address: stamps for address, stamps in records.items() if stamps}
            yield records
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(records))
            os.replace(temporary, self.path)
