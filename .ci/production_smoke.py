"""Checks the running production shape (gunicorn + Celery worker + beat on PostgreSQL and
Redis), started by .ci/run: the site answers, static files are served by whitenoise with
hashed names, anonymous people are sent to the login page, and the scheduler's heartbeat is
executed by the worker more than once."""

import os
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BASE = f"http://127.0.0.1:{os.environ['PORT']}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def get(path):
    request = urllib.request.Request(BASE + path, headers={"Host": "localhost"})  # noqa: S310
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode(errors="replace")


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagement.settings")
    django.setup()
    from engagement.core.models import Heartbeat

    deadline = time.monotonic() + 60
    while True:
        try:
            status, _, _ = get("/healthz")
            beats = Heartbeat.objects.filter(source="scheduler").values_list("count", flat=True)
            if status == 200 and beats and beats[0] >= 2:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit("FATAL: the production shape did not come up within 60 s")
        time.sleep(1)

    status, _, page = get("/accounts/login/")
    assert status == 200, f"login page answered {status}"
    css = re.search(r"/static/css/app\.[0-9a-f]{12}\.css", page)
    assert css, "the login page links no hashed stylesheet"
    css_status, css_headers, _ = get(css.group(0))
    assert css_status == 200, f"{css.group(0)} answered {css_status}"
    assert "max-age" in css_headers.get("Cache-Control", ""), css_headers
    home_status, home_headers, _ = get("/")
    assert home_status == 302 and "/accounts/login/" in home_headers["Location"]
    api_status, _, _ = get("/api/v1/me/")
    assert api_status == 401, f"anonymous API answered {api_status}"
    beat = Heartbeat.objects.get(source="scheduler")
    print(
        f"gunicorn: /healthz 200, login 200, {css.group(0)} 200 "
        f"({css_headers['Cache-Control']}), anonymous / 302 to login, anonymous API 401"
    )
    print(f"beat + worker: heartbeat executed {beat.count} times, last by {beat.worker}")


if __name__ == "__main__":
    main()
