"""HIBP v3 `breachedaccount`: every breach the address is in, with the full breach model."""

from urllib.parse import quote

from scanner.investigations.base import Module, ModuleFailure, ModuleOutput, finding, get_json

HIGH_SEVERITY_CLASSES = {"Password hints", "Security questions and answers", "Credit cards", "Bank account numbers",
                         "Government issued IDs", "Social security numbers", "Auth tokens", "Private messages"}


def breach_severity(data_classes, is_stealer_log=False):
    """critical when passwords (or a stealer log) leaked, high for other sensitive data, else medium."""
    if is_stealer_log or "Passwords" in data_classes:
        return "critical"
    if HIGH_SEVERITY_CLASSES & set(data_classes):
        return "high"
    return "medium"


def _run(email, settings, deadline):
    key = settings.get("hibp_api_key")
    if not key:
        raise ModuleFailure("hibp-api-key not set: add hibp_api_key in the settings (HIBP sells keys)")
    breaches = get_json("HIBP", f"{settings['hibp_base_url']}/breachedaccount/{quote(email)}", deadline,
                        headers={"hibp-api-key": key}, params={"truncateResponse": "false"}, not_found_ok=True) or []
    if not isinstance(breaches, list):
        raise ModuleFailure("HIBP returned an unreadable response (expected a list of breaches)")
    findings = []
    for breach in breaches:
        if not isinstance(breach, dict) or not breach.get("Name"):
            raise ModuleFailure("HIBP returned an unreadable response (a breach without a Name)")
        data_classes = breach.get("DataClasses") or []
        findings.append(finding("HaveIBeenPwned", f"https://haveibeenpwned.com/PwnedWebsites#{breach['Name']}", {
            "name": breach["Name"], "title": breach.get("Title"), "domain": breach.get("Domain"),
            "breach_date": breach.get("BreachDate"), "added_date": breach.get("AddedDate"),
            "pwn_count": breach.get("PwnCount"), "data_classes": data_classes,
            "is_verified": breach.get("IsVerified"), "is_sensitive": breach.get("IsSensitive"),
            "is_stealer_log": breach.get("IsStealerLog", False), "is_spam_list": breach.get("IsSpamList"),
            "severity": breach_severity(data_classes, breach.get("IsStealerLog", False)),
        }))
    dates = sorted(f["metadata"]["breach_date"] for f in findings if f["metadata"]["breach_date"])
    order = {"critical": 0, "high": 1, "medium": 2}
    worst = min(findings, key=lambda f: order[f["metadata"]["severity"]], default=None)
    return ModuleOutput(findings, {
        "total_breaches": len(findings),
        "breach_dates": f"{dates[0]} to {dates[-1]}" if dates else None,
        "most_critical_breach": worst["metadata"]["name"] if worst else None,
        "all_data_classes": sorted({c for f in findings for c in f["metadata"]["data_classes"]}),
    })


MODULE = Module("hibp", "Check if the email appears in known data breaches via the HIBP v3 API.",
                requires_key=True, category="breach", run=_run)
