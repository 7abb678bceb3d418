"""The local breach corpus: importing dumps (CLI and upload), and looking addresses up."""

import logging
import os
import sys
from collections import defaultdict
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import insert

from scanner.breach_corpus import bucket_of, file_digest, group_addresses, read_dump, split_address
from web.extensions import db
from web.models import BreachBucket, BreachSource

logger = logging.getLogger(__name__)
# Addresses held in memory before a part is written: bounds memory on dumps of any size.
FLUSH_EVERY_ADDRESSES = 2_000_000


class DumpImportError(ValueError):
    """A dump that cannot be imported; the message says why."""


def _parse_date(value):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise DumpImportError(f"date must be YYYY-MM-DD, got {value!r}") from None


def _parse_classes(value):
    if not value:
        return ["Email addresses"]
    classes = [c.strip() for c in str(value).split(",") if c.strip()]
    return classes if "Email addresses" in classes else ["Email addresses", *classes]


def _write_part(source_id, groups, part):
    rows = [{"domain": domain, "bucket": bucket, "source_id": source_id, "part": part,
             "locals": "\n".join(sorted(set(locals_)))} for (domain, bucket), locals_ in groups.items()]
    if rows:
        db.session.execute(insert(BreachBucket), rows)
    return sum(row["locals"].count("\n") + 1 for row in rows)


def import_dump(path, name, breach_date=None, data_classes=None, on_progress=None):
    """Import a dump file as one breach source. Returns (BreachSource, created: bool).

    Importing a file already imported (same SHA-256) adds nothing and returns the existing source.
    """
    if not name or not str(name).strip():
        raise DumpImportError("name is required: the breach's name, e.g. \"ExampleCorp 2024\"")
    if not os.path.isfile(path):
        raise DumpImportError(f"{path} is not a file")
    breach_date, classes = _parse_date(breach_date), _parse_classes(data_classes)
    digest = file_digest(path)
    existing = BreachSource.query.filter_by(file_sha256=digest).first()
    if existing is not None:
        return existing, False
    source = BreachSource(name=str(name).strip()[:200], breach_date=breach_date, data_classes=classes,
                          file_name=os.path.basename(path), file_sha256=digest)
    db.session.add(source)
    db.session.flush()
    groups, held, part, lines, found, stored = {}, 0, 0, 0, 0, 0
    try:
        for chunk in read_dump(path, on_bytes=on_progress or (lambda position: None)):
            lines += chunk.lines
            found += len(chunk.addresses)
            group_addresses(chunk.addresses, groups)
            held += len(chunk.addresses)
            if held >= FLUSH_EVERY_ADDRESSES:
                stored += _write_part(source.id, groups, part)
                groups, held, part = {}, 0, part + 1
        stored += _write_part(source.id, groups, part)
        source.lines, source.skipped_lines, source.addresses = lines, lines - found, stored
        db.session.commit()
    except BaseException:
        db.session.rollback()  # no half-imported dump stays behind
        raise
    logger.info("Imported %s: %d lines, %d addresses, %d skipped", source.name, lines, stored, lines - found)
    return source, True


def _rows_for(domains):
    """Bucket rows of these domains, with their source, in chunks of IN lists."""
    domains = sorted(domains)
    for start in range(0, len(domains), 500):
        batch = domains[start:start + 500]
        yield from db.session.execute(
            db.select(BreachBucket.domain, BreachBucket.bucket, BreachBucket.locals, BreachSource.id,
                      BreachSource.name, BreachSource.breach_date, BreachSource.data_classes)
            .join(BreachSource, BreachSource.id == BreachBucket.source_id)
            .where(BreachBucket.domain.in_(batch)))


def _breach(row, account):
    return {"name": row.name, "date": row.breach_date, "data_classes": row.data_classes,
            "source": f"local corpus #{row.id}", "account": account}


def find_addresses(emails):
    """{email: [breach dicts]} for the addresses present in the corpus."""
    wanted = defaultdict(set)  # (domain, bucket) -> locals
    for email in emails:
        local, domain = split_address(email)
        wanted[(domain, bucket_of(local))].add(local)
    found, seen = defaultdict(list), set()
    for row in _rows_for({domain for domain, _ in wanted}):
        locals_wanted = wanted.get((row.domain, row.bucket))
        if locals_wanted:
            for local in locals_wanted.intersection(row.locals.split("\n")):
                address = f"{local}@{row.domain}"
                if (address, row.id) not in seen:  # one dump may hold an address in two parts
                    seen.add((address, row.id))
                    found[address].append(_breach(row, address))
    return found


def find_domains(domains):
    """{domain: [breach dicts, one per address found]} for the domains present in the corpus."""
    found, seen = defaultdict(list), set()
    for row in _rows_for({d.lower() for d in domains}):
        for local in row.locals.split("\n"):
            if (local, row.domain, row.id) not in seen:
                seen.add((local, row.domain, row.id))
                found[row.domain].append(_breach(row, f"{local}@{row.domain}"))
    return found


def corpus_lookup(app):
    """A function email -> [breach dicts] over the corpus, or None when no dump is imported."""
    with app.app_context():
        if BreachSource.query.first() is None:
            return None

    def lookup(email):
        with app.app_context():
            return find_addresses([email]).get(email.strip().lower(), [])

    return lookup


breach_cli = AppGroup("breach", help="The local breach corpus.")


@breach_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", required=True, help="The breach's name, e.g. \"ExampleCorp 2024\".")
@click.option("--date", "breach_date", help="When the breach happened (YYYY-MM-DD).")
@click.option("--data-classes", help="What leaked, comma-separated, e.g. \"Email addresses,Passwords\".")
def import_command(path, name, breach_date, data_classes):
    """Import a dump (email:..., email;..., email,..., or a CSV with an email column)."""
    from web.database import upgrade_schema

    upgrade_schema(current_app._get_current_object())  # a first import may come before the first `make run`
    size = os.path.getsize(path)
    show = sys.stdout.isatty()
    with click.progressbar(length=size, label="Importing", file=sys.stdout if show else open(os.devnull, "w"),
                           show_pos=False) as bar:
        position = [0]

        def progress(offset):
            bar.update(offset - position[0])
            position[0] = offset

        try:
            source, created = import_dump(path, name, breach_date, data_classes, on_progress=progress)
        except DumpImportError as exc:
            raise click.ClickException(str(exc)) from None
    if not created:
        click.echo(f"Already imported as \"{source.name}\" (#{source.id}): nothing added.")
        return
    click.echo(f"Imported \"{source.name}\" (#{source.id}): {source.lines} lines, {source.addresses} addresses, "
               f"{source.skipped_lines} malformed or blank lines skipped. Passwords are never stored.")
