"""How long the reminder scan takes on a million items, how much memory it needs, and whether
it records each reminder exactly once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/engagement \\
        .venv/bin/python benchmarks/notify_scan.py [--items 1000000] [--keep] [--profile]

It creates a fresh database (``engagement_bench`` on the server of DATABASE_URL; the database
named there is not touched), migrates it, and seeds ``--items`` open summit action items due
within the reminder window (a week) with one SQL statement. Then it runs the reminder scan the
way the worker does (``run_scans("reminders")``, every registered scanner) in a child process,
twice: the first run records the ledger, the second must find nothing new. Last, on an emptied
ledger, it times the one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` that records the same
rows: the floor no chunked scan can beat.

Pass/fail: the ledger in under 60 s, no duplicate, the scanning process under 200 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DB = "engagement_bench"
OWNERS = 1000
LIMITS = {"seconds": 60.0, "duplicates": 0, "rss_mb": 200.0}


def fail(message: str) -> None:
    sys.stderr.write(f"notify_scan: {message}\n")
    sys.exit(2)


def database_urls() -> tuple[str, str]:
    """(URL of the benchmark database, URL of the server's maintenance database)."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        fail(
            "this benchmark measures PostgreSQL, as production runs; SQLite timings would "
            "mislead. Set DATABASE_URL=postgres://USER@HOST:5432/NAME (a new database "
            f"{BENCH_DB!r} is created on that server)."
        )
    bench = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    return bench, maintenance


def child_env(bench_url: str) -> dict:
    return dict(
        os.environ,
        DATABASE_URL=bench_url,
        DJANGO_SETTINGS_MODULE="engagement.settings",
        # As in production: DEBUG off (no query log). Delivery is enqueued after each chunk,
        # as in the worker, to an in-memory broker that nobody consumes.
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost",
        CELERY_BROKER_URL="memory://",
        LOG_LEVEL="ERROR",
    )


# A child's own peak RSS: RUSAGE_CHILDREN in this process would report the largest of all
# children so far (the migrating one, say), so each step runs under a small wrapper that
# reports the peak of its one child.
WRAPPER = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(done.stderr)
print(done.stdout.strip())
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rss_kb": rss, "rc": done.returncode}))
"""


def run_child(step: str, bench_url: str, *extra: str) -> tuple[dict, float]:
    """Run a step in a child process; returns its JSON answer and its peak RSS in MB."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, sys.executable, __file__, "--child", step, *extra],
        env=child_env(bench_url), cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    if done.returncode or len(lines) < 2 or json.loads(lines[-1])["rc"]:
        fail(f"step {step} failed:\n{done.stdout}{done.stderr}")
    if done.stderr.strip():
        sys.stderr.write(done.stderr)
    return json.loads(lines[-2]), json.loads(lines[-1])["rss_kb"] / 1024


# --- Steps, each run in a child process -------------------------------------------------------


def django_setup() -> None:
    import django

    django.setup()


def step_prepare(items: int) -> dict:
    """Migrate the fresh database and seed the items."""
    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from boards.models import Board
    from engagement.org.models import Function, User
    from summits.models import Summit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started

    today = timezone.localdate()
    function = Function.objects.create(name="Service")
    chair = User.objects.create(username="chair", first_name="Chad", email="chair@example.com")
    User.objects.bulk_create(
        [
            User(
                username=f"owner{i}",
                first_name=f"Owner {i}",
                email=f"owner{i}@example.com",
                function=function,
            )
            for i in range(OWNERS)
        ]
    )
    first_owner, last_owner = (
        User.objects.filter(username__startswith="owner").order_by("id").values_list("id")[0][0],
        User.objects.filter(username__startswith="owner").order_by("-id").values_list("id")[0][0],
    )
    assert last_owner - first_owner == OWNERS - 1, "owner ids are not consecutive"
    board = Board.objects.create(
        name="Service board", chair=chair, cadence="FREQ=WEEKLY;BYDAY=MO", starts_on=today,
        time_zone="UTC", start_time="09:00", duration_minutes=60,
    )  # fmt: skip
    summit = Summit.objects.create(
        title="Summit", starts_on=today, ends_on=today, chair=chair, created_by=chair
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Due today .. in 7 days, spread evenly: every item has a reminder due (lead 0, 2 or 7).
        cursor.execute(
            """
            INSERT INTO summits_actionitem (
                summit_id, title, description, owner_id, owner_function_id, due_on, priority,
                status, board_id, completed_on, escalation_level, escalated_at, created_by_id,
                created_at, updated_at)
            SELECT %(summit)s, 'Action item ' || i, '', %(first_owner)s + (i %% %(owners)s),
                   %(function)s, %(today)s::date + (i %% 8), 'medium',
                   CASE WHEN i %% 2 = 0 THEN 'open' ELSE 'in_progress' END, %(board)s, NULL, 0,
                   NULL, %(chair)s, now(), now()
            FROM generate_series(1, %(items)s) AS i
            """,
            {
                "summit": summit.pk, "first_owner": first_owner, "owners": OWNERS,
                "function": function.pk, "today": today, "board": board.pk,
                "chair": chair.pk, "items": items,
            },
        )  # fmt: skip
        cursor.execute("ANALYZE")
    seeded = time.perf_counter() - started
    return {"migrate_s": migrated, "seed_s": seeded, "today": today.isoformat()}


def step_scan(profile: bool) -> dict:
    """The reminder scan as the worker runs it."""
    django_setup()
    from engagement.notify.scanning import run_scans

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    report = run_scans("reminders")
    elapsed = time.perf_counter() - started
    answer = {
        "seconds": elapsed,
        "recorded": report.recorded,
        "already": sum(r.already for r in report.recorders.values()),
        "per_scanner": {name: r.recorded for name, r in report.recorders.items()},
    }
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(30)
        out.write("\n--- by own time ---\n")
        stats.sort_stats("tottime").print_stats(25)
        sys.stderr.write(out.getvalue())
    return answer


def step_check() -> dict:
    """Duplicates in the ledger, overall and per item and recipient."""
    django_setup()
    from django.db import connection

    from engagement.notify.scanning import content_type_id
    from summits.models import ActionItem

    item_type = content_type_id(ActionItem)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT dedupe_key) FROM notify_notification")
        rows, keys = cursor.fetchone()
        cursor.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE n > 1), coalesce(max(n), 0) FROM (
                SELECT subject_id, recipient_id, count(*) AS n FROM notify_notification
                WHERE subject_type_id = %s GROUP BY subject_id, recipient_id
            ) per_item
            """,
            [item_type],
        )
        items_reminded, items_twice, most = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM summits_actionitem")
        (items,) = cursor.fetchone()
    return {
        "rows": rows,
        "duplicate_keys": rows - keys,
        "items": items,
        "items_reminded": items_reminded,
        "items_reminded_twice": items_twice,
        "most_per_item": most,
    }


def step_floor() -> dict:
    """The single statement that records the same reminders, on an emptied ledger."""
    django_setup()
    from django.db import connection
    from django.utils import timezone

    from engagement.notify.scanning import content_type_id
    from summits.models import ActionItem

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notify_notification")
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO notify_notification (
                kind, recipient_id, webhook_id, subject_type_id, subject_id, dedupe_key, title,
                body, url, data, created_at, read_at, status, attempts, next_attempt_at,
                delivered_at, reason, digest_id)
            SELECT 'reminder', owner_id, NULL, %(item_type)s, id,
                   'action_item:' || id || ':due:' || due_on || ':remind:' || lead
                       || ':u' || owner_id,
                   'Reminder: “' || title || '” is due in ' || (due_on - %(today)s) || ' days',
                   '', '/summits/actions/' || id || '/', jsonb_build_object('lead', lead),
                   now(), NULL, 'pending', 0, NULL, NULL, '', NULL
            FROM (
                SELECT *, CASE WHEN due_on - %(today)s::date = 0 THEN 0
                               WHEN due_on - %(today)s::date <= 2 THEN 2 ELSE 7 END AS lead
                FROM summits_actionitem
                WHERE status IN ('open', 'in_progress')
                  AND due_on BETWEEN %(today)s AND %(today)s::date + 7
            ) due
            ON CONFLICT (dedupe_key) DO NOTHING
            """,
            {"item_type": content_type_id(ActionItem), "today": timezone.localdate()},
        )
        inserted = cursor.rowcount
    return {"seconds": time.perf_counter() - started, "recorded": inserted}


STEPS = {"prepare": step_prepare, "scan": step_scan, "check": step_check, "floor": step_floor}


# --- The run ---------------------------------------------------------------------------------


def recreate_database(maintenance_url: str, *, drop_only: bool = False) -> None:
    import psycopg2

    parts = urlsplit(maintenance_url)
    conn = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username,
        password=parts.password, dbname="postgres",
    )  # fmt: skip
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
    conn.close()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="action items to seed")
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    parser.add_argument(
        "--profile", action="store_true", help="profile the scan (cProfile, to stderr)"
    )
    parser.add_argument("--child", choices=sorted(STEPS), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "prepare":
            answer = step_prepare(args.items)
        elif args.child == "scan":
            answer = step_scan(args.profile)
        else:
            answer = STEPS[args.child]()
        print(json.dumps(answer))
        return 0

    bench_url, maintenance_url = database_urls()
    print(f"Database {BENCH_DB} on {urlsplit(bench_url).hostname}: {args.items:,} action items")
    recreate_database(maintenance_url)
    try:
        prepared, _ = run_child("prepare", bench_url, "--items", str(args.items))
        scan, scan_rss = run_child("scan", bench_url, *(["--profile"] if args.profile else []))
        rescan, _ = run_child("scan", bench_url)
        checked, _ = run_child("check", bench_url)
        floor, _ = run_child("floor", bench_url)
    finally:
        if not args.keep:
            recreate_database(maintenance_url, drop_only=True)

    rate = scan["recorded"] / scan["seconds"] if scan["seconds"] else 0
    duplicates = checked["duplicate_keys"] + checked["items_reminded_twice"]
    rows = [
        ("migrate + seed (s)", f"{prepared['migrate_s']:.1f} + {prepared['seed_s']:.1f}", ""),
        ("scan: wall time (s)", f"{scan['seconds']:.1f}", f"< {LIMITS['seconds']:.0f}"),
        ("scan: rows recorded", f"{scan['recorded']:,}", f"= {args.items:,}"),
        ("scan: rows per second", f"{rate:,.0f}", ""),
        ("scan: peak RSS (MB)", f"{scan_rss:.0f}", f"< {LIMITS['rss_mb']:.0f}"),
        ("re-scan: wall time (s)", f"{rescan['seconds']:.1f}", ""),
        ("re-scan: rows recorded", f"{rescan['recorded']:,}", "= 0"),
        ("ledger rows", f"{checked['rows']:,}", ""),
        ("duplicate dedupe keys", f"{checked['duplicate_keys']}", "= 0"),
        ("items reminded more than once", f"{checked['items_reminded_twice']}", "= 0"),
        ("items reminded", f"{checked['items_reminded']:,}", f"= {checked['items']:,}"),
        ("floor: one INSERT ... SELECT (s)", f"{floor['seconds']:.1f}", ""),
        ("floor: rows", f"{floor['recorded']:,}", ""),
        ("scan / floor", f"{scan['seconds'] / max(floor['seconds'], 1e-9):.1f}x", ""),
    ]
    width = max(len(label) for label, _, _ in rows)
    print()
    for label, value, target in rows:
        print(f"  {label:<{width}}  {value:>14}  {target}")
    checks = {
        f"ledger in under {LIMITS['seconds']:.0f} s": scan["seconds"] < LIMITS["seconds"],
        "every item reminded once, nothing twice": duplicates == 0
        and checked["items_reminded"] == checked["items"] == scan["recorded"]
        and rescan["recorded"] == 0,
        f"scan under {LIMITS['rss_mb']:.0f} MB": scan_rss < LIMITS["rss_mb"],
    }
    print()
    for name, ok in checks.items():
        print(f"  {verdict(ok)}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
