"""A monitoring pass: check every monitored email and domain against the local corpus and HIBP,
record the breaches not known before, and send one signed postback per owner with them."""

import logging
from collections import defaultdict
from urllib.parse import quote

from sqlalchemy import insert, select, update

from scanner.investigations.base import Deadline, ModuleFailure, get_json
from web.breaches import find_addresses, find_domains
from web.extensions import db
from web.models import KnownBreach, WatchedDomain, WatchedEmail
from web.models.base import utcnow
from web.notifications import notify
from web.settings.store import all_settings
from web.watchlist.deliveries import queue_delivery

logger = logging.getLogger(__name__)
HIBP_CALL_SECONDS = 30


def _hibp_breach(breach, account=""):
    return {"name": breach.get("Name"), "title": breach.get("Title"), "domain": breach.get("Domain"),
            "breachDate": breach.get("BreachDate"), "dataClasses": breach.get("DataClasses") or [],
            "source": "hibp", **({"emailAddress": account} if account else {})}


def _corpus_breach(breach, account=""):
    return {"name": breach["name"], "title": breach["name"], "domain": None, "breachDate": breach["date"],
            "dataClasses": breach["data_classes"], "source": "corpus", **({"emailAddress": account} if account else {})}


class HibpChecker:
    """HIBP lookups for one pass; `latestbreach` tells whether anything can be new since an entry's last check."""

    def __init__(self, settings):
        self.base, self.key = settings["hibp_base_url"], settings["hibp_api_key"]
        self.latest = None
        self.details = {}

    def _get(self, path, not_found_ok=False):
        return get_json("HIBP", f"{self.base}{path}", Deadline(HIBP_CALL_SECONDS),
                        headers={"hibp-api-key": self.key}, not_found_ok=not_found_ok)

    def start(self):
        latest = self._get("/latestbreach") or {}
        self.latest = f"{latest.get('Name')}@{latest.get('AddedDate')}"

    def needs_check(self, latest_seen):
        """Only when HIBP's newest breach changed since the entry's last check can anything be new."""
        return latest_seen != self.latest

    def account(self, email):
        return [_hibp_breach(b) for b in self._get(f"/breachedaccount/{quote(email)}?truncateResponse=false",
                                                   not_found_ok=True) or []]

    def domain(self, domain):
        aliases = self._get(f"/breacheddomain/{quote(domain)}", not_found_ok=True) or {}
        found = []
        for alias, names in aliases.items():
            for name in names:
                if name not in self.details:
                    self.details[name] = self._get(f"/breach/{quote(name)}", not_found_ok=True) or {"Name": name}
                found.append(_hibp_breach(self.details[name], f"{alias}@{domain}"))
        return found


def run_monitoring_pass(app):
    """Check every monitored entry now; returns the number of new breaches recorded."""
    with app.app_context():
        settings = all_settings()
        emails = db.session.execute(select(WatchedEmail.id, WatchedEmail.user_id, WatchedEmail.email,
                                           WatchedEmail.hibp_latest_seen).where(WatchedEmail.monitoring)).all()
        domains = db.session.execute(select(WatchedDomain.id, WatchedDomain.user_id, WatchedDomain.domain,
                                            WatchedDomain.hibp_latest_seen).where(WatchedDomain.monitoring)).all()
        entry_ids = {e.id for e in emails} | {d.id for d in domains}
        known = {tuple(row) for row in db.session.execute(
            select(KnownBreach.entry_id, KnownBreach.source, KnownBreach.name, KnownBreach.account))
            if row.entry_id in entry_ids}
        found = []  # (entry row, kind, breach)

        address_hits = find_addresses(e.email for e in emails)
        for entry in emails:
            found += [(entry, "emails", _corpus_breach(b)) for b in address_hits.get(entry.email, [])]
        domain_hits = find_domains(d.domain for d in domains)
        for entry in domains:
            found += [(entry, "domains", _corpus_breach(b, b["account"])) for b in domain_hits.get(entry.domain, [])]

        errors, hibp_checked, checker = {}, set(), HibpChecker(settings)
        if settings["hibp_api_key"]:
            found += _check_hibp(checker, emails, domains, errors, hibp_checked)

        new_rows, payloads = [], defaultdict(lambda: {"emails": {}, "domains": {}})
        for entry, kind, breach in found:
            key = (entry.id, breach["source"], breach["name"], breach.get("emailAddress", ""))
            if key in known:
                continue
            known.add(key)
            new_rows.append({"entry_id": key[0], "source": key[1], "name": key[2], "account": key[3],
                             "details": breach, "first_seen_at": utcnow()})
            label = {"id": entry.id, "emailAddress": entry.email} if kind == "emails" else \
                {"id": entry.id, "domainName": entry.domain}
            payloads[entry.user_id][kind].setdefault(entry.id, {**label, "breaches": []})["breaches"].append(breach)
        if new_rows:
            db.session.execute(insert(KnownBreach), new_rows)
        _mark_checked(WatchedEmail, {e.id for e in emails}, errors, hibp_checked, checker.latest)
        _mark_checked(WatchedDomain, {d.id for d in domains}, errors, hibp_checked, checker.latest)
        db.session.commit()

        for user_id, payload in payloads.items():
            body = {"emails": list(payload["emails"].values()), "domains": list(payload["domains"].values())}
            names = sorted({b["name"] for group in body.values() for item in group for b in item["breaches"]})
            notify(user_id, "New breach(es) on your watchlist: {names}", names=", ".join(names[:10]))
            queue_delivery(user_id, body)
        logger.info("Monitoring pass: %d entries, %d new breach record(s), %d source error(s)",
                    len(entry_ids), len(new_rows), len(errors))
        return len(new_rows)


def _check_hibp(checker, emails, domains, errors, checked):
    found = []
    try:
        checker.start()
    except ModuleFailure as exc:  # HIBP down: every entry is retried next pass, none reads as clean
        for entry in [*emails, *domains]:
            errors[entry.id] = str(exc)
        return found
    for entry, kind, lookup in [(e, "emails", checker.account) for e in emails] + \
                               [(d, "domains", checker.domain) for d in domains]:
        if not checker.needs_check(entry.hibp_latest_seen):
            continue
        try:
            breaches = lookup(entry.email if kind == "emails" else entry.domain)
        except ModuleFailure as exc:
            errors[entry.id] = str(exc)
            if str(exc).startswith("rate limited"):
                break  # the rest waits for the next pass
            continue
        checked.add(entry.id)
        found += [(entry, kind, breach) for breach in breaches]
    return found


def _in_batches(ids, size=500):
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _mark_checked(model, ids, errors, hibp_checked, hibp_latest):
    now = utcnow()
    for batch in _in_batches(ids - set(errors)):
        db.session.execute(update(model).where(model.id.in_(batch)).values(last_checked_at=now, last_error=None))
    for entry_id, error in errors.items():
        db.session.execute(update(model).where(model.id == entry_id).values(last_error=error[:500]))
    for batch in _in_batches(hibp_checked & ids):
        db.session.execute(update(model).where(model.id.in_(batch)).values(hibp_checked_at=now,
                                                                           hibp_latest_seen=hibp_latest))


def check_entry_now(entry, kind):
    """The breaches of one entry right now (corpus and HIBP), without recording them."""
    settings = all_settings()
    value = entry.email if kind == "emails" else entry.domain
    if kind == "emails":
        breaches = [_corpus_breach(b) for b in find_addresses([value]).get(value, [])]
    else:
        breaches = [_corpus_breach(b, b["account"]) for b in find_domains([value]).get(value, [])]
    if settings["hibp_api_key"]:
        checker = HibpChecker(settings)
        breaches += checker.account(value) if kind == "emails" else checker.domain(value)
    return breaches
