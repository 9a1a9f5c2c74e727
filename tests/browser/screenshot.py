"""Take the README's screenshot: a neighbourhood page, full length, on a phone.

Not a test. Run against a running site (``make run``), for example:
    .venv/bin/python -m tests.browser.screenshot http://127.0.0.1:8000/en/n/brook-end/
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS, PHONE

ROOT = Path(__file__).resolve().parents[2]


def main(url: str, out: Path = ROOT / "docs" / "screenshot.png") -> None:
    with sync_playwright() as playwright:
        browser: Any = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(**PHONE, locale="en-GB", device_scale_factor=1).new_page()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out), full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/en/n/brook-end/")
