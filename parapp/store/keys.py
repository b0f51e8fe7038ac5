"""Signing keys: the office's own Ed25519 key, and the keys of the units below as the office learned them.

An office database gets its key when it is made (or when a database of an older ParApp is upgraded); the
private half stays in the database's meta table, so that it travels with the database and its backups. A
return carries the signature of its values and metadata and the public key; the office above learns a unit's
key from its first signed return (trust on first use, shown as such) and from then on tells a return signed
with that key from one signed with another. Fingerprints are what an officer can read out over the phone.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

PRIVATE_KEY, PUBLIC_KEY = "signing_key", "public_key"


def fingerprint(public_key: str) -> str:
    """The first 80 bits of the key's sha256, in five groups of four hex digits (what officers compare)."""
    h = hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:20].upper()
    return "-".join(h[i:i + 4] for i in range(0, 20, 4))


def _raw_public(private: Ed25519PrivateKey) -> str:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def ensure_office_key(c: sqlite3.Connection) -> str:
    """The office's public key, made now if the database has none (inside the caller's transaction)."""
    row = c.execute("SELECT value FROM meta WHERE key = ?", (PUBLIC_KEY,)).fetchone()
    if row and c.execute("SELECT 1 FROM meta WHERE key = ?", (PRIVATE_KEY,)).fetchone():
        return row[0]
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()
    public = _raw_public(private)
    c.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  [(PRIVATE_KEY, raw), (PUBLIC_KEY, public)])
    return public


def office_public_key(store) -> str | None:
    return store.meta(PUBLIC_KEY)


def sign(store, payload: bytes) -> tuple[str, str]:
    """(public key, signature) of payload with the office's key, both hex."""
    raw = store.meta(PRIVATE_KEY)
    if raw is None:
        with store.transaction() as c:
            ensure_office_key(c)
        raw = store.meta(PRIVATE_KEY)
    private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(raw))
    return _raw_public(private), private.sign(payload).hex()


def signature_ok(public_key: str, payload: bytes, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(bytes.fromhex(signature), payload)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


@dataclass(frozen=True)
class KnownKey:
    unit: str
    public_key: str
    learned_at: str
    learned_from: str | None
    how: str  # first_use | accepted | template
    reason: str | None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def known_key(store, unit: str) -> KnownKey | None:
    row = store.conn.execute("SELECT unit, public_key, learned_at, learned_from, how, reason FROM unit_keys "
                             "WHERE unit = ?", (unit,)).fetchone()
    return KnownKey(*row) if row else None


def known_keys(store, units) -> dict[str, KnownKey]:
    out = {}
    units = list(dict.fromkeys(units))
    for i in range(0, len(units), 500):
        part = units[i:i + 500]
        for row in store.conn.execute("SELECT unit, public_key, learned_at, learned_from, how, reason FROM unit_keys "
                                      f"WHERE unit IN ({', '.join('?' * len(part))})", part):
            out[row[0]] = KnownKey(*row)
    return out


def learn(c: sqlite3.Connection, unit: str, public_key: str, at: str, source: str, how: str,
          reason: str | None = None) -> None:
    """Record (or replace) a unit's key inside the caller's transaction; the caller writes the audit row."""
    c.execute("INSERT INTO unit_keys(unit, public_key, learned_at, learned_from, how, reason) VALUES (?, ?, ?, ?, ?, ?) "
              "ON CONFLICT(unit) DO UPDATE SET public_key = excluded.public_key, learned_at = excluded.learned_at, "
              "learned_from = excluded.learned_from, how = excluded.how, reason = excluded.reason",
              (unit, public_key, at, source, how, reason))
