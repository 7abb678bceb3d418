"""Reading breach dumps: `email:anything`, `email;...`, `email,...`, `email|...`, or a CSV with an
email column. Only addresses come out; whatever follows them on a line (passwords) is never kept.

Parsing works on large decoded chunks with one compiled regex, so the per-line work happens in C:
that is what makes millions of lines per second possible in Python.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 16 * 1024 * 1024
# An address at the start of a line, then a separator or the end of the line. Lower-cased input.
_LINE_ADDRESS = re.compile(
    r"^[ \t\"']*([a-z0-9.!#$%&'*+/=?^_`{}~-]{1,64})@([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+)[ \t\"']*(?:[:;,|\t]|$)",
    re.MULTILINE)


@dataclass
class DumpChunk:
    addresses: list  # (local, domain) pairs, lower-cased
    lines: int


def file_digest(path):
    """SHA-256 of a file: the identity of a dump, so importing it twice adds nothing."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def _email_column(first_line):
    """The index of the email column when the first line is a CSV header naming one, else None."""
    try:
        header = next(csv.reader([first_line]))
    except (csv.Error, StopIteration):
        return None
    names = [name.strip().strip('"').lower() for name in header]
    for wanted in ("email", "e-mail", "email_address", "emailaddress", "mail"):
        if wanted in names and len(names) > 1:
            return names.index(wanted)
    return None


def _csv_chunks(handle, column, on_bytes):
    reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline=""))
    next(reader)  # the header
    batch, lines = [], 0
    for row in reader:
        lines += 1
        if len(row) > column:
            match = _LINE_ADDRESS.match(row[column].strip().lower())
            if match:
                batch.append(match.groups())
        if lines % 100000 == 0:
            on_bytes(handle.tell())
            yield DumpChunk(batch, lines)
            batch, lines = [], 0
    yield DumpChunk(batch, lines)


def read_dump(path, on_bytes=lambda position: None):
    """Yield DumpChunks of (local, domain) addresses from a dump file; `on_bytes` reports progress."""
    path = Path(path)
    with open(path, "rb") as handle:
        first_line = handle.readline().decode("utf-8", "replace")
        column = _email_column(first_line) if "@" not in first_line.split(",")[0] else None
        handle.seek(0)
        if column is not None:
            yield from _csv_chunks(handle, column, on_bytes)
            return
        carry = b""
        while True:
            block = handle.read(CHUNK_BYTES)
            if not block:
                break
            block = carry + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                carry = block
                continue
            carry = block[cut:]
            text = block[:cut].decode("utf-8", "replace").lower()
            on_bytes(handle.tell())
            yield DumpChunk(_LINE_ADDRESS.findall(text), text.count("\n"))
        if carry.strip():
            text = carry.decode("utf-8", "replace").lower()
            yield DumpChunk(_LINE_ADDRESS.findall(text), 1)


def split_address(email):
    """(local, domain) of an address, lower-cased, as the corpus stores it."""
    local, _, domain = email.strip().lower().rpartition("@")
    return local, domain


def bucket_of(local):
    """The bucket a local part is stored in: addresses of one domain are split by their first two
    characters, so that looking up one address of a huge domain reads a small row."""
    return local[:2]


def group_addresses(pairs, groups):
    """Add (local, domain) pairs into `groups`: {(domain, bucket): [local, ...]}."""
    for local, domain in pairs:
        key = (domain, local[:2])
        bucket = groups.get(key)
        if bucket is None:
            groups[key] = [local]
        else:
            bucket.append(local)
    return groups
