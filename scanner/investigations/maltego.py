"""Maltego TRX: read a transform request (hardened parser), write entities for a report."""

import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_untrusted_xml

MAX_REQUEST_BYTES = 64 * 1024


class TransformRequestError(ValueError):
    """A TRX request we cannot use; the message goes back to Maltego as a UI message."""


def parse_transform_request(body):
    """The email address of the request's first entity (maltego.EmailAddress or its Value)."""
    if len(body) > MAX_REQUEST_BYTES:
        raise TransformRequestError("Transform request too large")
    try:
        root = parse_untrusted_xml(body, forbid_dtd=True)
    except (DefusedXmlException, ET.ParseError, ValueError) as exc:
        raise TransformRequestError(f"Not a valid Maltego TRX request: {exc.__class__.__name__}") from None
    entity = root.find("./MaltegoTransformRequestMessage/Entities/Entity")
    if entity is None:
        raise TransformRequestError("The request holds no entity")
    value = (entity.findtext("Value") or "").strip()
    for field in entity.findall("./AdditionalFields/Field"):
        if field.get("Name") in ("email", "email.address") and (field.text or "").strip():
            value = field.text.strip()
    if not value:
        raise TransformRequestError("The entity has no email address value")
    return value


def _entity(parent, entity_type, value, fields=None, weight=100):
    entity = ET.SubElement(parent, "Entity", Type=entity_type)
    ET.SubElement(entity, "Value").text = str(value)
    ET.SubElement(entity, "Weight").text = str(weight)
    if fields:
        extra = ET.SubElement(entity, "AdditionalFields")
        for name, (display, text) in fields.items():
            ET.SubElement(extra, "Field", Name=name, DisplayName=display).text = str(text)
    return entity


def transform_response(report=None, messages=()):
    """The TRX response XML: breaches as phrases, accounts as aliases, the domain; plus UI messages."""
    root = ET.Element("MaltegoMessage")
    response = ET.SubElement(root, "MaltegoTransformResponseMessage")
    entities = ET.SubElement(response, "Entities")
    if report is not None:
        _entity(entities, "maltego.Domain", report["email"].rsplit("@", 1)[-1])
        for item in report["findings"]:
            data, metadata = item["data"], item["data"].get("metadata") or {}
            if item["module_name"] in ("hibp", "breach_deep") and metadata.get("name"):
                _entity(entities, "maltego.Phrase", f"Breach: {metadata['name']}", {
                    "breach.date": ("Breach date", metadata.get("breach_date") or ""),
                    "breach.severity": ("Severity", metadata.get("severity") or "")})
            elif metadata.get("username"):
                _entity(entities, "maltego.Alias", metadata["username"], {
                    "platform": ("Platform", data["platform"]), "url": ("URL", data.get("url") or "")})
    ui = ET.SubElement(response, "UIMessages")
    for kind, text in messages:
        ET.SubElement(ui, "UIMessage", MessageType=kind).text = text
    return ET.tostring(root, encoding="unicode")
