"""Capability links: unguessable tokens, stored only as hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TypeGuard

TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
CODE_LENGTH = 8
MAX_TOKEN_LENGTH = 100


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)


def plausible(token: str | None) -> TypeGuard[str]:
    """Cheap check before hashing: reject empty or absurdly long input."""
    return token is not None and 0 < len(token) <= MAX_TOKEN_LENGTH


def new_group_code() -> str:
    """Short and readable aloud, e.g. 'K7MP-4QXR', for the link a counselor shares."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def normalise_code(code: str) -> str:
    """Accept 'k7mp4qxr' or 'K7MP-4QXR' as typed or spoken."""
    letters = "".join(ch for ch in code.upper() if ch.isalnum())[:CODE_LENGTH]
    return f"{letters[:4]}-{letters[4:]}"


def new_option_seed() -> int:
    """Chooses the order of an attempt's situation options; within PostgreSQL's integer."""
    return secrets.randbelow(2**31)
