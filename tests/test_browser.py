"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against a live app."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import intel_peers, peers
from tests.conftest import ADMIN_PASSWORD, login, make_app, write_config
from web import jobs

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "browser"
XSS_IMG = "<img src=x onerror=window.__xss=1>"


class XssBannerHandler(peers._BannerHandler):
    def version_string(self):
        return f"nginx/1.24.0 + {XSS_IMG}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A live app with a config of loopback web services (one with a hostile banner) and intel peers."""
    plain, hostile = peers.serve_red_page(), peers.serve_http(XssBannerHandler)
    intel = intel_peers.IntelPeers()
    app = make_app(tmp_path_factory.mktemp("browser"), INVESTIGATION_MODULE_TIMEOUT=5)
    write_config(app, "loopback.yaml", f"""\
title: "Loopback {XSS_IMG}"
scan: {{ports: "{hostile.server_address[1]}", tls: false}}
sites:
  - name: Web
    ips:
      - address: 127.0.0.1
        expected: {{ping: true, tcp_ports: [{plain.server_address[1]}]}}
""")
    client = app.test_client()
    login(client)
    for key, value in intel.settings().items():
        client.put(f"/api/settings/{key}", json={"value": value})
    server = peers.LiveServer(app)
    yield type("Site", (), {"app": app, "url": server.url})
    server.stop()
    jobs.stop(app, wait=True)
    intel.stop()
    plain.shutdown()
    hostile.shutdown()


@pytest.fixture(scope="module")
def browser():
    args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site, request):
    """A logged-in page; accepts confirmations, fails on any other dialog; a full-page screenshot at the end."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    unexpected_dialogs = []

    def on_dialog(dialog):
        if dialog.type == "confirm":
            dialog.accept()
        else:
            unexpected_dialogs.append(dialog.message)
            dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{site.url}/dashboard")
    expect(page).to_have_url(re.compile(r"/auth/login\?next=/dashboard"))
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    assert page.evaluate("window.__xss") is None, "scanned content ran as script"
    assert unexpected_dialogs == []
    context.close()


def test_dashboard_after_login(page, site):
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Nothing scanned yet")).to_be_visible()
    headers = page.request.get(f"{site.url}/dashboard").headers
    assert "script-src 'self'" in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"


def test_start_a_scan_and_watch_it_complete_live(page, site):
    page.goto(f"{site.url}/scans")
    page.get_by_label("Config").select_option("loopback.yaml")
    page.get_by_role("button", name="Start scan").click()
    expect(page).to_have_url(re.compile(r"/scans/\d+$"))
    expect(page.locator("ol.events li").first).to_be_visible(timeout=20000)  # live events arrive
    expect(page.locator(".summary .status")).to_have_text("completed", timeout=60000)
    expect(page.get_by_role("heading", name=re.compile("Scan #\\d+ · Loopback <img"))).to_be_visible()
    gallery = page.locator(".gallery img")
    expect(gallery).to_have_count(2)
    gallery.first.scroll_into_view_if_needed()
    page.wait_for_function("Array.from(document.querySelectorAll('.gallery img')).every(i => i.complete && i.naturalWidth > 0)")
    expect(page.get_by_text(XSS_IMG).first).to_be_visible()  # the banner, shown as text
    assert page.evaluate("window.__xss") is None


def test_run_an_investigation_and_see_module_results_arrive(page, site):
    page.goto(f"{site.url}/investigations")
    page.get_by_label("Email address", exact=True).fill(intel_peers.BREACHED)
    page.get_by_role("button", name="Investigate").click()
    expect(page).to_have_url(re.compile(r"/investigations/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name="Scores")).to_be_visible(timeout=30000)
    expect(page.locator(".summary dd").first).to_contain_text("74")
    expect(page.get_by_text("infostealer hit")).to_be_visible()
    expect(page.locator("svg.graph .node")).not_to_have_count(0)
    expect(page.get_by_role("link", name="stix")).to_be_visible()


def test_live_module_events_list_each_module(page, site):
    intel = intel_peers  # the peers answer HANGS after the module timeout: the list shows progress first
    page.goto(f"{site.url}/investigations")
    page.get_by_label("Email address", exact=True).fill(intel.HANGS)
    page.get_by_role("button", name="Investigate").click()
    events = page.locator("#module-events li")
    expect(events.filter(has_text="domain_intel: 1 finding(s)")).to_be_visible(timeout=15000)
    expect(events.filter(has_text="hibp: hibp did not finish within 5 seconds")).to_be_visible(timeout=15000)


def test_add_a_watchlist_entry_and_monitor_it(page, site):
    page.goto(f"{site.url}/watchlist")
    page.get_by_label("Email address", exact=True).fill("jane@corp.example")
    page.get_by_role("button", name="Add").first.click()
    row = page.locator("tr", has_text="jane@corp.example")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Start monitoring").click()
    expect(page.locator("tr", has_text="jane@corp.example")).to_contain_text("on")
    page.get_by_label("Email address", exact=True).fill("jane@corp.example")
    page.get_by_role("button", name="Add").first.click()
    expect(page.get_by_text("Email address already exists")).to_be_visible()
    expect(page.get_by_label("Email address", exact=True)).to_have_value("jane@corp.example")  # what was typed stays


def test_create_and_revoke_an_api_key(page, site):
    page.goto(f"{site.url}/account")
    page.get_by_label("Device name").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-key code")
    expect(key).to_have_text(re.compile(r"^sk_"))
    api_key = key.text_content()
    assert page.request.get(f"{site.url}/api/user_info", headers={"X-API-Key": api_key}).status == 200
    page.reload()
    page.locator("tr", has_text="laptop").get_by_role("button", name="Revoke").click()
    expect(page.locator("tr", has_text="laptop")).to_have_count(0)
    assert page.request.get(f"{site.url}/api/user_info", headers={"X-API-Key": api_key}).status == 401


def test_save_a_setting_with_validation(page, site):
    page.goto(f"{site.url}/settings")
    form = page.locator("form.setting", has=page.get_by_label("smtp_port", exact=True))
    form.get_by_label("smtp_port", exact=True).fill("70000")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".form-message")).to_have_text("smtp_port must be between 1 and 65535")
    expect(form.get_by_label("smtp_port", exact=True)).to_have_value("70000")
    form.get_by_label("smtp_port", exact=True).fill("2525")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".form-message")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("smtp_port", exact=True)).to_have_value("2525")
    expect(page.get_by_label("hibp_api_key")).to_have_attribute("placeholder", "********")


def test_remaining_pages_render(page, site):
    for path, heading in (("/schedules", "Schedules"), ("/notifications", "Notifications"),
                          ("/dashboard", "Dashboard")):
        page.goto(f"{site.url}{path}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{site.url}/dashboard")
    expect(page.get_by_role("link", name="Watchlist")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400


def test_login_with_the_two_factor_step(browser, site):
    from tests.test_session_security import totp_codes

    admin = site.app.test_client()
    login(admin)
    assert admin.post("/api/users", json={"email": "mfa@example.test", "password": "two factor passphrase"}
                      ).status_code == 201
    member = site.app.test_client()
    login(member, password="two factor passphrase", email="mfa@example.test")
    secret = member.post("/api/auth/mfa/setup", json={}).get_json()["secret"]
    previous, current, _ = totp_codes(secret)
    assert member.post("/api/auth/mfa/enable", json={"mfa_token": previous}).status_code == 200

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site.url}/auth/login")
    page.get_by_label("Email").fill("mfa@example.test")
    page.get_by_label("Password").fill("two factor passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/auth/mfa$"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "test_login_with_the_two_factor_step.png"), full_page=True)
    page.get_by_label("Code").fill(current)
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    context.close()
