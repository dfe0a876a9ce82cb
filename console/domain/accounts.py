"""Account rules without I/O: password policy, one-time passwords and the failed-login slowdown."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from console.errors import ValidationError

MIN_PASSWORD_LENGTH = 12  # NIST SP 800-63B / OWASP: length, not composition rules
MAX_PASSWORD_LENGTH = 256
FREE_ATTEMPTS = 3
MAX_DELAY = timedelta(minutes=5)

# Words that make a long password weak anyway; a short list beats none.
_BANNED = {"password1234", "123456789012", "qwertyuiopas", "privacyconsole", "changemenow!"}


def check_new_password(password: str, *, user_name: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters "
            f"(it has {len(password)})."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(f"The password must have at most {MAX_PASSWORD_LENGTH} characters.")
    if password.casefold() == user_name.casefold() or password.casefold() in _BANNED:
        raise ValidationError("That password is too easy to guess; choose another.")


def one_time_password() -> str:
    # 4 groups of 4 from an alphabet without look-alikes: 16 characters, ~80 bits, easy to read out.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def retry_delay(failed_logins: int) -> timedelta:
    """How long to refuse attempts after the n-th consecutive failure: doubling, capped, never forever."""
    if failed_logins < FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failed_logins - FREE_ATTEMPTS)), MAX_DELAY)


def check_user_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > 64 or not all(c.isalnum() or c in "._-@" for c in clean):
        raise ValidationError("A user name has 1 to 64 letters, digits or . _ - @ (no spaces).")
    return clean


def is_after(now: datetime, moment: datetime | None) -> bool:
    return moment is None or now >= moment
