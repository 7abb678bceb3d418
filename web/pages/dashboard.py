"""What the dashboard shows: the state at a glance and the trends behind it."""

from datetime import timedelta

from scanner.diff import compare_documents, drift_findings
from web.extensions import db
from web.models import Investigation, KnownBreach, Scan, WatchedDomain, WatchedEmail
from web.models.base import utcnow
from web.pages.charts import Series, bar_chart, line_chart
from web.settings.store import get_setting

TREND_SCANS = 20


def _open_ports(document):
    return sum(1 for site in document["sites"] for ip in site["ips"] for p in ip["ports"] if p["state"] == "open")


def config_overview():
    """Per config: its latest scan, open ports and drift counts, and the trend of both."""
    warning_days = get_setting("cert_expiry_warning_days")
    overview = []
    for (config_file,) in db.session.execute(db.select(Scan.config_file).distinct()).all():
        completed = (Scan.query.filter_by(config_file=config_file, status="completed")
                     .order_by(Scan.started_at.desc(), Scan.id.desc()).limit(TREND_SCANS).all())[::-1]
        latest = Scan.query.filter_by(config_file=config_file).order_by(Scan.started_at.desc(), Scan.id.desc()).first()
        documents = [scan.to_document() for scan in completed]
        trend_ports, trend_drift, expiring = [], [], []
        for index, document in enumerate(documents):
            diff = compare_documents(documents[index - 1] if index else None, document, warning_days)
            trend_ports.append(_open_ports(document))
            trend_drift.append(len(drift_findings(document, diff, warning_days)))
            if index == len(documents) - 1:
                expiring = diff["certificates_expiring"]
        labels = [scan.started_at.strftime("%m-%d %H:%M") for scan in completed]
        overview.append({
            "config_file": config_file, "latest": latest, "last_completed": completed[-1] if completed else None,
            "open_ports": trend_ports[-1] if trend_ports else None, "drift": trend_drift[-1] if trend_drift else None,
            "expiring": expiring,
            "chart": line_chart(labels, [Series("open ports", "series-ports", trend_ports),
                                         Series("drift", "series-drift", trend_drift)]) if len(labels) > 1 else None,
        })
    return sorted(overview, key=lambda item: item["latest"].started_at, reverse=True)


def recent_breaches(user, days=7):
    """Watchlist entries of `user` with breaches first seen in the last `days` days."""
    since = utcnow() - timedelta(days=days)
    emails = {e.id: e.email for e in WatchedEmail.query.filter_by(user_id=user.id)}
    domains = {d.id: d.domain for d in WatchedDomain.query.filter_by(user_id=user.id)}
    rows = (KnownBreach.query.filter(KnownBreach.entry_id.in_(list(emails) + list(domains)),
                                     KnownBreach.first_seen_at >= since)
            .order_by(KnownBreach.first_seen_at.desc()).limit(50).all()) if emails or domains else []
    return [{"entry": emails.get(row.entry_id) or domains.get(row.entry_id), "name": row.name,
             "account": row.account, "first_seen_at": row.first_seen_at} for row in rows]


def investigation_overview(user):
    """The user's recent investigations and a chart of their exposure scores."""
    recent = (Investigation.query.filter_by(user_id=user.id).order_by(Investigation.created_at.desc())
              .limit(TREND_SCANS).all())
    scored = [i for i in recent[::-1] if i.exposure_score is not None]
    chart = bar_chart([(i.email, i.exposure_score, f"risk-{i.risk_level}") for i in scored]) if scored else None
    return recent[:5], chart
