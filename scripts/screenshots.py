"""Take a screenshot of every page for docs/screenshots/ (README shows them).

    .venv/bin/python scripts/screenshots.py

A real server on 127.0.0.1 with a throwaway data folder, Debian's chromium, and a drawn stand-in for the
visitor's photo: no real face (the test photos stay in ../shared, never in the repository).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.api.conftest import RunningServer  # noqa: E402
from tests.api.helpers import event, execute, later_frame, outbox, passcode_in, post_face_event  # noqa: E402
from tests.browser.conftest import ARGS, CHROMIUM  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def drawn_visitor(hue: int) -> bytes:
    """A simple drawing of someone at a door, 640x480."""
    image = np.full((480, 640, 3), (235, 228, 220), np.uint8)
    cv2.rectangle(image, (180, 40), (460, 480), (120, 90, 70), -1)  # the door
    cv2.circle(image, (320, 190), 70, (150, 180, 215), -1)  # a head
    cv2.ellipse(image, (320, 420), (130, 110), 0, 180, 360, (hue, 120, 60), -1)  # shoulders
    ok, jpeg = cv2.imencode(".jpg", image)
    assert ok
    return jpeg.tobytes()


def main() -> int:
    import asyncio

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = RunningServer(Path(tmp) / "data")
        server.start()
        try:
            # A visitor who was approved and registered, and a new face waiting for the owner.
            first = post_face_event(server.url, server.token, event("unknown_face.json"), drawn_visitor(40))
            first_id = first.json()["sightings"][0]["id"]
            register = (
                "mutation($input: RegisterVisitorInput!) { registerVisitor(input: $input) { passcodeSent } }"
            )
            asyncio.run(
                execute(
                    server.url,
                    register,
                    {
                        "input": {
                            "sightingId": first_id,
                            "name": "Ada Lovelace",
                            "phoneNumber": "+44 20 7946 0958",
                        }
                    },
                    server.token,
                )
            )
            server.clock.advance(minutes=3)
            # A later frame of the stream (a frame's record is handled once): someone new.
            post_face_event(server.url, server.token, later_frame("unknown_face.json"), drawn_visitor(160))
            code = passcode_in(outbox(server.url, server.token, "sms")[0]["text"])
            emails = outbox(server.url, server.token, "email")
            link = re.search(r"http://\S+/approve\?token=\S+", emails[0]["text"])
            assert link
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1100, "height": 1000})
                page.goto(f"{server.url}/?token={server.token}")
                page.locator("#live").filter(has_text="live").wait_for()
                page.locator("#timeline li").first.wait_for()
                page.screenshot(path=OUT / "console.png", full_page=True)
                page.goto(link.group(0))
                page.locator("#register").wait_for()
                page.screenshot(path=OUT / "approval.png", full_page=True)
                page.goto(f"{server.url}/outbox")
                mail = page.frame_locator("article[data-kind=email] iframe").first
                mail.get_by_role("heading", name="Someone is at your door").wait_for()
                mail.locator("img").evaluate("img => img.decode()")
                page.screenshot(path=OUT / "outbox.png", full_page=True)
                page.goto(f"{server.url}/camera")
                page.screenshot(path=OUT / "camera.png", full_page=True)
                phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
                phone.goto(f"{server.url}/door")
                for digit in code:
                    phone.get_by_role("button", name=digit, exact=True).click()
                phone.get_by_role("button", name="Open the door").click()
                phone.locator("#result.ok").wait_for()
                phone.screenshot(path=OUT / "door.png", full_page=True)
                browser.close()
        finally:
            server.stop()
    print(f"wrote {sorted(p.name for p in OUT.glob('*.png'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
