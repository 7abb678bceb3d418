"""What a module is, what it returns, and the HTTP helper every web-API module uses."""

import email.utils
import json
import time
from dataclasses import dataclass, field
from typing import Callable

import requests

USER_AGENT = "SneakyScanner-Investigations/0.1 (+self-hosted exposure monitor)"
CATEGORIES = ("breach", "social", "other")


class ModuleFailure(Exception):
    """The module could not answer (key missing, source down, rate limited, unreadable reply).

    Never an empty success: "could not check" must not read as "not breached".
    """


@dataclass
class ModuleOutput:
    findings: list[dict] = field(default_factory=list)  # {platform, url, metadata, confidence}
    metadata: dict = field(default_factory=dict)  # run metadata shown in the report's metadata table


@dataclass(frozen=True)
class Module:
    name: str
    description: str
    requires_key: bool
    category: str  # "breach", "social" or "other": the exposure score's weight
    run: Callable[[str, dict, "Deadline"], ModuleOutput]
    opt_in: bool = False


def finding(platform, url, metadata, confidence="high"):
    """One finding in the seed's shape."""
    return {"platform": platform, "url": url, "metadata": metadata, "confidence": confidence}


class Deadline:
    """The time a module has left; every network call is bounded by it."""

    def __init__(self, seconds):
        self.expires = time.monotonic() + seconds
        self.seconds = seconds

    def remaining(self):
        return self.expires - time.monotonic()

    def check(self, source):
        if self.remaining() <= 0:
            raise ModuleFailure(f"{source} did not answer within {self.seconds:g} seconds")


def _retry_after_seconds(value):
    if not value:
        return None
    if value.strip().isdigit():
        return int(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int(moment.timestamp() - time.time()))


def get_json(source, url, deadline, headers=None, params=None, not_found_ok=False):
    """GET a JSON document within the deadline; honour 429 Retry-After while it fits.

    Returns the parsed body, or None for a 404 when `not_found_ok`. Raises ModuleFailure
    with a message a person can act on for anything else.
    """
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
    while True:
        deadline.check(source)
        try:
            response = requests.get(url, headers=headers, params=params, timeout=max(0.1, deadline.remaining()),
                                    allow_redirects=False)
        except requests.Timeout:
            raise ModuleFailure(f"{source} did not answer within {deadline.seconds:g} seconds") from None
        except requests.RequestException as exc:
            raise ModuleFailure(f"{source} is unreachable: {exc.__class__.__name__}") from None
        if response.status_code == 429:
            wait = _retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None and wait < deadline.remaining():
                time.sleep(wait)
                continue
            raise ModuleFailure(f"rate limited by {source} (Retry-After: {response.headers.get('Retry-After', 'not given')})")
        if response.status_code == 404 and not_found_ok:
            return None
        if response.status_code in (401, 403):
            raise ModuleFailure(f"{source} refused the request ({response.status_code}): check its API key or token")
        if response.status_code != 200:
            raise ModuleFailure(f"{source} answered HTTP {response.status_code}")
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError):
            raise ModuleFailure(f"{source} returned an unreadable response (not JSON)") from None
