"""A report in the export formats: JSON, CSV, Markdown, PDF (fpdf2), STIX 2.1 (stix2), Maltego CSV."""

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import stix2
from fpdf import FPDF

EXTENSIONS = {"json": "json", "csv": "csv", "markdown": "markdown", "pdf": "pdf", "stix": "stix.json",
              "maltego": "maltego.csv"}
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "markdown": "text/markdown", "pdf": "application/pdf",
               "stix": "application/json", "maltego": "text/csv"}
UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _rows(report):
    for item in report["findings"]:
        data = item["data"]
        yield item["module_name"], data["platform"], data.get("url") or "", data.get("confidence") or "", \
            json.dumps(data.get("metadata") or {}, sort_keys=True)


def to_json(report):
    return json.dumps(report, indent=2).encode()


def to_csv(report):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["module", "platform", "url", "confidence", "metadata"])
    writer.writerows(_rows(report))
    return out.getvalue().encode()


def to_markdown(report):
    lines = [f"# Investigation of {report['email']}", "",
             f"- Exposure score: **{report['exposure_score']}** ({report['risk_level']})",
             f"- Credential risk: **{report['credential_risk_score']}** ({report['credential_risk_band']})",
             f"- {report['summary']}", "", "## Score drivers", ""]
    lines += [f"- {d}" for d in report["score_drivers"]] or ["- none"]
    lines += ["", "## Recommended actions", ""] + [f"- {a}" for a in report["recommended_actions"]]
    lines += ["", "## Modules", "", "| Module | Status | Error |", "|---|---|---|"]
    lines += [f"| {r['module_name']} | {r['status']} | {(r['errors'] or '').replace('|', '/')} |"
              for r in report["module_runs"]]
    lines += ["", "## Findings", ""]
    for module, platform, url, confidence, metadata in _rows(report):
        lines.append(f"- **{platform}** ({module}, {confidence}) {url} `{metadata}`")
    return ("\n".join(lines) + "\n").encode()


class _Pdf(FPDF):
    def __init__(self):
        super().__init__()
        if UNICODE_FONT.exists():
            self.add_font("body", "", str(UNICODE_FONT))
            self.font_name = "body"
        else:
            self.font_name = "helvetica"

    def text_line(self, text, size=10, height=6):
        if self.font_name == "helvetica":  # core fonts know only Latin-1
            text = text.encode("latin-1", "replace").decode("latin-1")
        self.set_font(self.font_name, size=size)
        self.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def to_pdf(report):
    pdf = _Pdf()
    pdf.add_page()
    pdf.text_line(f"Investigation of {report['email']}", size=18, height=10)
    pdf.text_line(f"Exposure score: {report['exposure_score']} ({report['risk_level']})", size=12)
    pdf.text_line(f"Credential risk: {report['credential_risk_score']} ({report['credential_risk_band']})", size=12)
    pdf.text_line(report["summary"])
    pdf.text_line("Score drivers: " + ("; ".join(report["score_drivers"]) or "none"))
    pdf.text_line("Modules", size=14, height=9)
    for run in report["module_runs"]:
        pdf.text_line(f"{run['module_name']}: {run['status']}" + (f" ({run['errors']})" if run["errors"] else ""))
    pdf.text_line("Findings", size=14, height=9)
    for module, platform, url, confidence, metadata in _rows(report):
        pdf.text_line(f"{platform} [{module}, {confidence}] {url}")
    return bytes(pdf.output())


def to_stix(report):
    """A STIX 2.1 bundle: the address, the observation, and the accounts and breaches related to it."""
    creator = stix2.Identity(name="SneakyScanner", identity_class="system")
    address = stix2.EmailAddress(value=report["email"])
    first_seen = datetime.fromisoformat(report["created_at"])
    last_seen = datetime.fromisoformat(report["completed_at"]) if report["completed_at"] else first_seen
    observed = stix2.ObservedData(created_by_ref=creator.id, first_observed=first_seen, last_observed=last_seen,
                                  number_observed=1, object_refs=[address.id])
    objects = [creator, address, observed]
    for item in report["findings"]:
        data = item["data"]
        metadata = data.get("metadata") or {}
        name = metadata.get("username") or metadata.get("name") or data["platform"]
        identity = stix2.Identity(name=f"{name} ({data['platform']})", identity_class="individual",
                                  description=f"Found by the {item['module_name']} module",
                                  created_by_ref=creator.id)
        relationship = stix2.Relationship(identity, "related-to", observed, created_by_ref=creator.id,
                                          description=f"{data['platform']} finding for {report['email']}")
        objects += [identity, relationship]
    return stix2.Bundle(objects=objects).serialize(pretty=True).encode()


def to_maltego(report):
    """Entities and links for Maltego's CSV import: one row per entity linked to the email."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Entity Type", "Value", "Linked To", "Link Label", "Module"])
    writer.writerow(["maltego.EmailAddress", report["email"], "", "", ""])
    writer.writerow(["maltego.Domain", report["email"].rsplit("@", 1)[-1], report["email"], "domain", ""])
    for item in report["findings"]:
        data, metadata = item["data"], item["data"].get("metadata") or {}
        if metadata.get("username"):
            writer.writerow(["maltego.Alias", metadata["username"], report["email"], data["platform"], item["module_name"]])
        elif metadata.get("name"):
            writer.writerow(["maltego.Phrase", metadata["name"], report["email"], "breach", item["module_name"]])
        elif data.get("url"):
            writer.writerow(["maltego.URL", data["url"], report["email"], data["platform"], item["module_name"]])
    return out.getvalue().encode()


EXPORTERS = {"json": to_json, "csv": to_csv, "markdown": to_markdown, "pdf": to_pdf, "stix": to_stix,
             "maltego": to_maltego}
