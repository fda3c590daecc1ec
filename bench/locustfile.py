"""The deadline rush: each simulated provider makes three draft saves, a submit and a repeated submit
of its quarterly return. 100 run at a time until all 300 are done. Loopback only."""

from __future__ import annotations

import json
import re
from pathlib import Path

from locust import HttpUser, constant, events, task
from locust.exception import StopUser

DATA = json.loads((Path(__file__).resolve().parent / "loadtest-users.json").read_text())
QUEUE = list(DATA["users"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.test_start.add_listener
def _announce(environment, **kwargs):
    print(f"{len(QUEUE)} providers queued")


class Provider(HttpUser):
    wait_time = constant(0)

    @task
    def rush(self):
        if not QUEUE:
            raise StopUser()
        me = QUEUE.pop()
        self.client.cookies.clear()
        self.client.cookies.set(DATA["session_cookie_name"], me["cookie"])
        page = self.client.get(me["url"], name="open return")
        match = CSRF.search(page.text)
        if not match:
            page.failure if hasattr(page, "failure") else None
            return
        token = match.group(1)
        for _ in range(3):
            self.client.post(
                me["url"],
                data={**me["form"], "csrfmiddlewaretoken": token, "action": "save"},
                headers={"Referer": self.host + me["url"]},
                name="save draft",
            )
        for name in ("submit", "repeated submit"):
            self.client.post(
                me["url"],
                data={**me["form"], "csrfmiddlewaretoken": token, "action": "submit"},
                headers={"Referer": self.host + me["url"]},
                name=name,
            )
