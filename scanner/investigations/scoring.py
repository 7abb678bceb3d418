"""Scores: the seed's exposure score and risk level, and a credential-risk score with its reasons."""

from datetime import date

from scanner.investigations.registry import MODULES

CATEGORY_WEIGHTS = {"breach": 15, "social": 5, "other": 2}
RISK_LEVELS = ((20, "low"), (50, "medium"), (80, "high"), (100, "critical"))
CREDENTIAL_BANDS = ((24, "LOW"), (49, "MEDIUM"), (74, "HIGH"), (100, "CRITICAL"))
RECENT_YEARS = 2


def finding_category(module_name, finding):
    """A finding's weight class: its own `category` when it carries one (EmailRep), else its module's."""
    return (finding.get("metadata") or {}).get("category") or MODULES[module_name].category


def exposure_score(findings_by_module):
    """Sum of per-finding weights (breach x15, social x5, other x2), clamped to 100."""
    total = sum(CATEGORY_WEIGHTS[finding_category(module, f)]
                for module, findings in findings_by_module.items() for f in findings)
    return min(100, total)


def risk_level(score):
    """low (0-20), medium (21-50), high (51-80), critical (81-100)."""
    return next(level for ceiling, level in RISK_LEVELS if score <= ceiling)


def _breaches(findings_by_module):
    return [f["metadata"] for module in ("hibp", "breach_deep") for f in findings_by_module.get(module, [])]


def credential_risk(findings_by_module, today=None):
    """(score 0-100, band, score drivers, recommended actions) from what the findings show."""
    today = today or date.today()
    breaches = _breaches(findings_by_module)
    score, drivers = 0, []
    with_passwords = [b for b in breaches if "Passwords" in (b.get("data_classes") or [])]
    if with_passwords:
        score += min(50, 25 * len(with_passwords))
        drivers.append(f"{len(with_passwords)} breach(es) exposed passwords")
    if any(b.get("is_stealer_log") for b in breaches):
        score += 40
        drivers.append("infostealer hit")
    recent = [b for b in breaches if _years_ago(b.get("breach_date"), today) is not None
              and _years_ago(b.get("breach_date"), today) <= RECENT_YEARS]
    if recent:
        score += 15
        drivers.append(f"{len(recent)} breach(es) in the last {RECENT_YEARS} years")
    if len(breaches) >= 6:
        score += 15
        drivers.append(f"{len(breaches)} breaches in all")
    elif len(breaches) >= 3:
        score += 10
        drivers.append(f"{len(breaches)} breaches in all")
    emailrep = [f["metadata"] for f in findings_by_module.get("emailrep", []) if f["platform"] == "EmailRep"]
    if any(m.get("credentials_leaked_recent") for m in emailrep):
        score += 10
        drivers.append("EmailRep reports recently leaked credentials")
    score = min(100, score)
    band = next(name for ceiling, name in CREDENTIAL_BANDS if score <= ceiling)
    return score, band, drivers, _actions(band, drivers)


def _years_ago(day, today):
    try:
        return (today - date.fromisoformat(day)).days / 365.25
    except (TypeError, ValueError):
        return None


def _actions(band, drivers):
    actions = []
    if band in ("HIGH", "CRITICAL"):
        actions.append("Reset affected passwords immediately and revoke active sessions")
        actions.append("Review MFA enrollment and strengthen account recovery settings")
    if "infostealer hit" in drivers:
        actions.append("Treat the user's device as compromised: scan or reimage it before new passwords are set")
    if band == "CRITICAL":
        actions.append("Prioritize containment and analyst follow-up for exposed credentials")
    if band == "MEDIUM":
        actions.append("Ask the user to change passwords reused on breached services and enable MFA")
    if band == "LOW":
        actions.append("No credential exposure found: keep the address on the breach watchlist")
    return actions
