"""The deadline rush: 300 providers, 100 at a time, each opens its quarterly return, makes three draft
saves, submits and submits again, all within the last 60 seconds before the deadline. Loopback only.

Before each step, the first included, each provider pauses for a random think time (LOADTEST_THINK,
seconds, "2-4" by default), so the 300 providers' work spreads over the 60-second window as the scenario
describes.
LOADTEST_THINK=0 removes the pauses: a stress test in which 100 users send requests back to back,
whose latency then measures the server's throughput rather than the rush.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path

from locust import HttpUser, constant, events, task
from locust.exception import StopUser

HERE = Path(__file__).resolve().parent
DATA = json.loads((HERE / "loadtest-users.json").read_text())
QUEUE = list(DATA["users"])
# The contracts whose first submission was answered (the return's page, after the redirect): the report
# tells a return lost from one whose provider had not got that far when the run ended.
ANSWERED: list[int] = []
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _think_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


THINK = _think_range(os.environ.get("LOADTEST_THINK", "2-4"))


@events.test_start.add_listener
def _announce(environment, **kwargs):
    (HERE / "loadtest-answered.json").unlink(missing_ok=True)
    print(f"{len(QUEUE)} providers queued; think time {THINK[0]:g} to {THINK[1]:g} s between steps")


@events.quitting.add_listener
def _write_answered(environment, **kwargs):
    (HERE / "loadtest-answered.json").write_text(json.dumps(ANSWERED))


class Provider(HttpUser):
    wait_time = constant(0)

    def think(self) -> None:
        if THINK[1] > 0:
            time.sleep(random.uniform(*THINK))  # gevent-patched: yields to the other users

    @task
    def rush(self):
        if not QUEUE:
            raise StopUser()
        me = QUEUE.pop()
        # Each provider arrives after a think time too, so the 100 first arrivals are spread over it rather
        # than all opening their return in the same instant.
        self.think()
        self.client.cookies.clear()
        self.client.cookies.set(DATA["session_cookie_name"], me["cookie"])
        with self.client.get(me["url"], name="open return", catch_response=True) as page:
            match = CSRF.search(page.text)
            if not match:
                page.failure("the return form has no CSRF token")
                return
        token = match.group(1)
        steps = [("save", "save draft")] * 3 + [("submit", "submit"), ("submit", "repeated submit")]
        for action, name in steps:
            self.think()
            answer = self.client.post(
                me["url"],
                data={**me["form"], "csrfmiddlewaretoken": token, "action": action},
                headers={"Referer": self.host + me["url"]},
                name=name,
            )
            if name == "submit" and answer.ok and answer.url.rstrip("/").endswith("/view"):
                ANSWERED.append(me["contract"])
