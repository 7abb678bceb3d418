"""Screenshots of web services with headless Chromium (Debian's), driven by Playwright.

One browser per scan, every page in parallel, each with its own timeout; certificate
errors are ignored and JavaScript dialogs dismissed. A page that never loads costs its
timeout and yields no screenshot; it never fails the scan.
"""

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

PAGE_TIMEOUT_MS = 15000
VIEWPORT = {"width": 1280, "height": 800}
# Without these, Chromium keeps trying to reach Google's services at start.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


@dataclass
class WebTarget:
    address: str
    port: int
    scheme: str  # "http" or "https"

    @property
    def url(self):
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{host}:{self.port}/"

    @property
    def file_name(self):
        return f"{self.address.replace('.', '_').replace(':', '_')}_{self.port}.png"


async def _capture_one(context, target, folder, timeout_ms):
    page = await context.new_page()
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.dismiss()))
    try:
        await page.goto(target.url, timeout=timeout_ms, wait_until="load")
        path = folder / target.file_name
        await page.screenshot(path=str(path), timeout=timeout_ms)
        return target, path
    except Exception as exc:  # a slow or broken page must not cost more than itself
        logger.info("No screenshot of %s: %s", target.url, str(exc).splitlines()[0][:200])
        return target, None
    finally:
        await page.close()


async def _capture_all(targets, folder, chromium_path, timeout_ms):
    from playwright.async_api import async_playwright

    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path, args=args, headless=True)
        try:
            context = await browser.new_context(ignore_https_errors=True, viewport=VIEWPORT,
                                                java_script_enabled=True, accept_downloads=False)
            results = await asyncio.gather(*(_capture_one(context, t, folder, timeout_ms) for t in targets))
        finally:
            await browser.close()
    return {(target.address, target.port): path for target, path in results if path is not None}


def capture_screenshots(targets, folder, chromium_path="/usr/bin/chromium", timeout_ms=PAGE_TIMEOUT_MS):
    """Screenshot every WebTarget into `folder`; returns {(address, port): png Path} for those that loaded.

    Raises RuntimeError when Chromium cannot be started at all.
    """
    if not targets:
        return {}
    if not Path(chromium_path).exists():
        raise RuntimeError(f"Chromium not found at {chromium_path}: install it (apt-get install chromium; "
                           "`make run` does this)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return asyncio.run(_capture_all(targets, folder, chromium_path, timeout_ms))
