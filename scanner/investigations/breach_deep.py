"""The local breach corpus (imported dumps): which of them hold this address."""

from scanner.investigations.base import Module, ModuleFailure, ModuleOutput, finding
from scanner.investigations.hibp import breach_severity


def _run(email, settings, deadline):
    lookup = settings.get("breach_corpus_lookup")
    if lookup is None:
        raise ModuleFailure("No local breach corpus is loaded: import one with `flask --app app breach import`")
    breaches = lookup(email)
    findings = [finding("Local breach corpus", None, {
        "name": b["name"], "breach_date": b.get("date"), "data_classes": b.get("data_classes", []),
        "severity": breach_severity(b.get("data_classes", [])), "source_file": b.get("source")}) for b in breaches]
    return ModuleOutput(findings, {"total_breaches": len(findings)})


MODULE = Module("breach_deep", "Search the local breach corpus (dumps imported on this server).",
                requires_key=False, category="breach", run=_run, opt_in=True)
