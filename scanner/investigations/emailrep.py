"""EmailRep: reputation, risk flags (breach and credential leaks) and linked profiles."""

from urllib.parse import quote

from scanner.investigations.base import Module, ModuleFailure, ModuleOutput, finding, get_json

FLAGS = ("blacklisted", "malicious_activity", "malicious_activity_recent", "credentials_leaked",
         "credentials_leaked_recent", "data_breach", "first_seen", "last_seen", "domain_exists",
         "domain_reputation", "new_domain", "suspicious_tld", "spam", "free_provider", "disposable",
         "deliverable", "valid_mx", "spoofable", "spf_strict", "dmarc_enforced")


def _run(email, settings, deadline):
    headers = {"Key": settings["emailrep_api_key"]} if settings.get("emailrep_api_key") else {}
    body = get_json("EmailRep", f"{settings['emailrep_base_url']}/{quote(email)}", deadline, headers=headers)
    if not isinstance(body, dict) or "reputation" not in body:
        raise ModuleFailure("EmailRep returned an unreadable response (no reputation)")
    details = body.get("details") or {}
    breached = bool(details.get("data_breach") or details.get("credentials_leaked"))
    metadata = {"reputation": body.get("reputation"), "suspicious": body.get("suspicious"),
                "references": body.get("references"), **{k: details.get(k) for k in FLAGS},
                # A breach flag weighs like a breach finding in the exposure score.
                "category": "breach" if breached else "other"}
    findings = [finding("EmailRep", f"https://emailrep.io/{quote(email)}", metadata,
                        "high" if breached else "medium")]
    for profile in details.get("profiles") or []:
        findings.append(finding(str(profile), None, {"profile": str(profile), "source": "EmailRep",
                                                      "category": "social"}, "medium"))
    return ModuleOutput(findings, {"reputation": body.get("reputation"), "suspicious": body.get("suspicious"),
                                   "data_breach": details.get("data_breach"),
                                   "profiles": details.get("profiles") or []})


MODULE = Module("emailrep", "Query EmailRep.io for reputation score, risk flags, and linked profile data.",
                requires_key=False, category="other", run=_run)
