"""Gravatar: the public profile behind the address (looked up by its SHA-256 hash)."""

import hashlib

from scanner.investigations.base import Module, ModuleFailure, ModuleOutput, finding, get_json


def _run(email, settings, deadline):
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    profile = get_json("Gravatar", f"{settings['gravatar_base_url']}/profiles/{digest}", deadline, not_found_ok=True)
    if profile is None:
        return ModuleOutput([], {"profile_found": False, "hash": digest})
    if not isinstance(profile, dict) or "hash" not in profile:
        raise ModuleFailure("Gravatar returned an unreadable response (no profile hash)")
    findings = [finding("Gravatar", profile.get("profile_url"), {
        "display_name": profile.get("display_name"), "username": _username(profile.get("profile_url")),
        "location": profile.get("location"), "job_title": profile.get("job_title"),
        "company": profile.get("company"), "avatar_url": profile.get("avatar_url")})]
    for account in profile.get("verified_accounts") or []:
        if account.get("is_hidden"):
            continue
        findings.append(finding(account.get("service_label") or account.get("service_type"), account.get("url"), {
            "username": _username(account.get("url")), "service_type": account.get("service_type"),
            "display_name": profile.get("display_name"), "source": "Gravatar verified account"}))
    return ModuleOutput(findings, {"profile_found": True, "hash": digest,
                                   "verified_accounts": len(findings) - 1})


def _username(url):
    return url.rstrip("/").rsplit("/", 1)[-1] if url else None


MODULE = Module("gravatar", "Look up the public Gravatar profile and verified accounts of the address.",
                requires_key=False, category="social", run=_run)
