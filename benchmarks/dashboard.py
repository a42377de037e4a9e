"""How fast the executive dashboard answers at enterprise scale, against its own SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/engagement \\
        .venv/bin/python benchmarks/dashboard.py [--scale 1.0] [--runs 20] [--keep] [--reuse]

It creates a fresh database (``engagement_dashboard_bench`` on the server of DATABASE_URL, or
``--database NAME``; the database named in the URL is not touched), migrates it, and seeds an
enterprise in set-based statements (``INSERT … SELECT … generate_series``, a minute or two):
5,000 people in 16 functions, 50,000 touchpoints at six journey stages, their charter (about
88 % of rights held, a history of earlier holders, pending claims, open and decided
conflicts), 500 boards on a three-rung ladder with members and a year of weekly meetings,
1,000,000 decisions and summit action items together (800,000 decisions: boards decide every
week; 200,000 items from forty summits), each linked to a touchpoint, 100,000 KPIs with six
periods of measurements, and escalations up to the CEO.

Then, in the same run:

* the jobs that keep the dashboard current, timed: the refresh of the summary table
  (``touchpoint_summaries_refresh``, twice: the second finds nothing changed) and the weekly
  snapshot (``snapshot_take``, twice: the second finds the week taken);
* ``dashboard_summary`` as the CEO sees it, unfiltered and with each filter (a function, a
  journey stage, a board governing a hundred touchpoints, a board governing a stage),
  ``--runs`` times each after a warm-up; its SQL is captured (``CaptureQueriesContext``) and
  the same statements are run directly on a cursor (execute, fetch every row) as often,
  interleaved with the selector's runs, so the ORM's and the figures' own cost shows as the
  gap.

Pass/fail per view: median <= 1.5 x the raw SQL's median + 10 ms, and median < 250 ms.
``--scale 0.1`` seeds a tenth of everything (a quick look); ``--keep`` keeps the database and
``--reuse`` runs the measurements again on a kept one (migrating it first, not re-seeding).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DB = "engagement_dashboard_bench"
LIMITS = {"ratio": 1.5, "slack_ms": 10.0, "ceiling_ms": 250.0}

FUNCTIONS = (
    "Marketing", "Sales", "Customer service", "Operations", "Product", "IT", "Finance",
    "Legal", "Human resources", "Digital", "Data and analytics", "Brand", "Partnerships",
    "Logistics", "Risk", "Strategy",
)  # fmt: skip
STAGES = ("Consider", "Evaluate", "Buy", "Experience", "Advocate", "Bond")
CHANNELS = ("Web", "Mobile app", "Call centre", "Store", "E-mail", "Social media",
            "Field sales", "Partner")  # fmt: skip
STAGE_BOARDS = (
    4  # boards 2..5 govern stages 1..4; stages 5 and 6 are governed touchpoint by touchpoint
)
SUMMITS = 40  # over two years: the divisions hold their own


def fail(message: str) -> None:
    sys.stderr.write(f"dashboard: {message}\n")
    sys.exit(2)


def database_urls(name: str) -> tuple[str, str]:
    """(URL of the benchmark database, URL of the server's maintenance database)."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        fail(
            "this benchmark measures PostgreSQL, as production runs; SQLite timings would "
            "mislead. Set DATABASE_URL=postgres://USER@HOST:5432/NAME (a new database "
            f"{name!r} is created on that server)."
        )
    return (
        urlunsplit(parts._replace(path=f"/{name}")),
        urlunsplit(parts._replace(path="/postgres")),
    )


def server_connection(maintenance_url: str):
    import psycopg2

    parts = urlsplit(maintenance_url)
    conn = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username,
        password=parts.password, dbname="postgres",
    )  # fmt: skip
    conn.autocommit = True
    return conn


def recreate_database(maintenance_url: str, name: str, *, drop_only: bool = False) -> None:
    conn = server_connection(maintenance_url)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def database_exists(maintenance_url: str, name: str) -> bool:
    conn = server_connection(maintenance_url)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    conn.close()
    return found


def django_setup(bench_url: str) -> None:
    os.environ.update(
        DATABASE_URL=bench_url,
        DJANGO_SETTINGS_MODULE="engagement.settings",
        # As in production: DEBUG off (no query log but the one captured on purpose).
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost",
        CELERY_BROKER_URL="memory://",
        LOG_LEVEL="ERROR",
    )
    import django

    django.setup()


# --- Seeding ------------------------------------------------------------------------------------


def seed(scale: float) -> dict:
    """The enterprise, in set-based statements. Returns the sizes and the seconds taken."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    sizes = {
        "people": max(int(5000 * scale), 100),
        "touchpoints": max(int(50_000 * scale), 600),
        "boards": max(int(500 * scale), 20),
        # Boards decide every week; summits come a few times a year.
        "decisions": max(int(800_000 * scale), 2000),
        "action_items": max(int(200_000 * scale), 2000),
        "escalations": max(int(3000 * scale), 60),
    }
    now = timezone.now()
    today = timezone.localdate(now)
    params = {
        **sizes, "now": now, "today": today, "functions": len(FUNCTIONS),
        "stages": len(STAGES), "channels": len(CHANNELS), "stage_boards": STAGE_BOARDS,
        "summits": SUMMITS, "tp_boards": sizes["boards"] - 1 - STAGE_BOARDS,
    }  # fmt: skip
    steps: list[tuple[str, str]] = []

    def step(label: str, sql: str) -> None:
        steps.append((label, sql))

    # People: id 1 is the CEO; everyone sits in a function (id 1 + i % 16).
    step("people", """
        INSERT INTO org_user (id, password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined, title, function_id)
        SELECT i, '!', false, CASE WHEN i = 1 THEN 'ceo' ELSE 'person' || i END,
               CASE WHEN i = 1 THEN 'Chief' ELSE 'Person' END,
               CASE WHEN i = 1 THEN 'Executive' ELSE i::text END,
               'person' || i || '@example.com', false, true, %(now)s,
               CASE WHEN i = 1 THEN 'Chief Executive Officer' ELSE '' END,
               1 + i %% %(functions)s
        FROM generate_series(1, %(people)s) AS i
    """)  # fmt: skip
    step("function heads", """
        UPDATE org_function SET head_id = 1 + id
    """)  # fmt: skip
    # Touchpoints: stage 1 + i % 6, eight channels, priorities and statuses in fixed shares.
    step("touchpoints", """
        INSERT INTO touchpoints_touchpoint (id, name, description, segment, priority, status,
            is_archived, created_at, updated_at, channel_id, data_steward_id, stage_id)
        SELECT i, 'Touchpoint ' || i, '', 'segment ' || (i %% 7),
               CASE WHEN i %% 10 = 0 THEN 'critical' WHEN i %% 10 < 3 THEN 'high'
                    WHEN i %% 10 < 7 THEN 'medium' ELSE 'low' END,
               CASE WHEN i %% 20 = 0 THEN 'retired' WHEN i %% 20 < 4 THEN 'planned'
                    ELSE 'active' END,
               i %% 50 = 7, %(now)s, %(now)s, 1 + (i / %(stages)s) %% %(channels)s,
               1 + i %% %(people)s, 1 + i %% %(stages)s
        FROM generate_series(1, %(touchpoints)s) AS i
    """)  # fmt: skip
    # Boards: 1 the executive committee (the CEO's), 2..5 one per journey stage 1..4 under it,
    # the rest each govern about a hundred touchpoints under a stage board (one in ten
    # directly under the committee). Touchpoints i %% 5 = 0 at stages 5 and 6: ungoverned.
    step("boards", """
        INSERT INTO boards_board (id, name, purpose, cadence, time_zone, starts_on, start_time,
            duration_minutes, location, core_size_limit, is_active, created_at, updated_at,
            chair_id, escalates_to_id, sponsor_id)
        SELECT b, CASE WHEN b = 1 THEN 'Executive committee'
                       WHEN b <= 1 + %(stage_boards)s THEN 'Stage board ' || (b - 1)
                       ELSE 'Board ' || b END,
               '', 'FREQ=WEEKLY;BYDAY=MO', 'UTC', %(today)s::date - 400, '09:00', 60, '', 12,
               b %% 97 <> 0, %(now)s, %(now)s,
               CASE WHEN b = 1 THEN 1 ELSE 2 + (b * 37) %% (%(people)s - 1) END,
               CASE WHEN b = 1 THEN NULL WHEN b <= 1 + %(stage_boards)s THEN 1
                    WHEN b %% 10 = 0 THEN 1 ELSE 2 + b %% %(stage_boards)s END,
               1
        FROM generate_series(1, %(boards)s) AS b
    """)  # fmt: skip
    step("board scope", """
        INSERT INTO boards_board_scope_stages (board_id, journeystage_id)
        SELECT b, b - 1 FROM generate_series(2, 1 + %(stage_boards)s) AS b;
        INSERT INTO boards_board_scope_touchpoints (board_id, touchpoint_id)
        SELECT 2 + %(stage_boards)s + t %% %(tp_boards)s, t
        FROM generate_series(1, %(touchpoints)s) AS t WHERE t %% 5 <> 0
    """)  # fmt: skip
    step("memberships", """
        INSERT INTO boards_membership (role, is_delegate, started_on, ended_on, board_id,
            function_id, person_id)
        SELECT CASE WHEN k < 6 THEN 'core' WHEN k < 9 THEN 'member' ELSE 'advisor' END,
               k = 0, %(today)s::date - 400, NULL, b, 1 + p %% %(functions)s, p
        FROM generate_series(1, %(boards)s) AS b, generate_series(0, 9) AS k,
             LATERAL (SELECT 2 + (b * 10 + k) %% (%(people)s - 1) AS p) person
    """)  # fmt: skip
    # A year of weekly meetings per board and eight weeks ahead: most held, some cancelled,
    # some that never took place (still "scheduled" in the past).
    step("meetings", """
        INSERT INTO boards_meeting (occurrence, starts_at, ends_at, location, status,
            status_note, uid, is_customised, sequence, minutes_notes, updated_at, board_id)
        SELECT at, at, at + interval '1 hour', '',
               CASE WHEN w <= 0 THEN 'scheduled' WHEN (b + w) %% 20 = 0 THEN 'cancelled'
                    WHEN (b * 3 + w) %% 10 = 0 THEN 'scheduled' ELSE 'held' END,
               '', gen_random_uuid(), false, 0, '', %(now)s, b
        FROM generate_series(1, %(boards)s) AS b, generate_series(-8, 52) AS w,
             LATERAL (SELECT date_trunc('day', %(now)s::timestamptz) - w * interval '7 days'
                             + (b %% 5) * interval '1 day' + interval '9 hours' AS at) m
    """)  # fmt: skip
    # The charter: each right held unless (7t + 3r) %% 100 < 12; one in ten held rights had
    # an earlier holder.
    step("rights", """
        INSERT INTO charter_rightassignment ("right", started_at, ended_at, source, end_reason,
            function_id, touchpoint_id)
        SELECT r.name, %(now)s::timestamptz - ((t * (r.n + 1)) %% 700 + 1) * interval '1 day',
               NULL, 'claim', '', 1 + (t + r.n * 5) %% %(functions)s, t
        FROM generate_series(1, %(touchpoints)s) AS t,
             (VALUES (0, 'design'), (1, 'build'), (2, 'operate'), (3, 'update')) AS r(n, name)
        WHERE (7 * t + 3 * r.n) %% 100 >= 12;
        INSERT INTO charter_rightassignment ("right", started_at, ended_at, source, end_reason,
            function_id, touchpoint_id)
        SELECT "right", started_at - interval '400 days', started_at, 'claim', 'released',
               1 + (function_id + 3) %% %(functions)s, touchpoint_id
        FROM charter_rightassignment WHERE touchpoint_id %% 10 = 3
    """)  # fmt: skip
    # Conflicts over the design right of one touchpoint in thirteen: the newer half open
    # (opened up to four months ago), the older half decided by a board decision.
    step("claims and conflicts", """
        INSERT INTO charter_claim (id, "right", rationale, status, created_at, decided_at,
            decision_note, claimant_id, decided_by_id, function_id, touchpoint_id)
        SELECT a.touchpoint_id, 'design', '',
               CASE WHEN a.touchpoint_id %% 26 = 0 THEN 'contested' ELSE 'rejected' END,
               %(now)s::timestamptz - (a.touchpoint_id %% 120 + 1) * interval '1 day',
               CASE WHEN a.touchpoint_id %% 26 = 0 THEN NULL
                    ELSE %(now)s::timestamptz - (a.touchpoint_id %% 60) * interval '1 day' END,
               '', 2 + a.touchpoint_id %% (%(people)s - 1), NULL,
               1 + a.function_id %% %(functions)s, a.touchpoint_id
        FROM charter_rightassignment a
        WHERE a."right" = 'design' AND a.ended_at IS NULL AND a.touchpoint_id %% 13 = 0;
        INSERT INTO charter_conflict (id, "right", status, opened_at, decided_at, rationale,
            claim_id, claimant_function_id, decided_by_id, holder_function_id, touchpoint_id,
            winner_id, escalation_level)
        SELECT c.id, 'design',
               CASE WHEN c.status = 'contested' THEN 'open' ELSE 'resolved' END,
               c.created_at, c.decided_at, '', c.id, c.function_id, NULL,
               a.function_id, c.touchpoint_id,
               CASE WHEN c.status = 'contested' THEN NULL ELSE a.function_id END, 0
        FROM charter_claim c JOIN charter_rightassignment a
          ON a.touchpoint_id = c.touchpoint_id AND a."right" = 'design' AND a.ended_at IS NULL;
        INSERT INTO charter_claim (id, "right", rationale, status, created_at, decision_note,
            claimant_id, function_id, touchpoint_id)
        SELECT %(touchpoints)s + t, 'build', '', 'pending',
               %(now)s::timestamptz - (t %% 20) * interval '1 day', '',
               2 + t %% (%(people)s - 1), 1 + t %% %(functions)s, t
        FROM generate_series(1, %(touchpoints)s) AS t
        WHERE t %% 31 = 0 AND (7 * t + 3) %% 100 < 12
    """)  # fmt: skip
    # Decisions over two years: overdue now and then, open ones due ahead, the rest carried
    # out; decision 100 x c resolved conflict c. Each is linked to one touchpoint.
    step("decisions", """
        INSERT INTO boards_decision (id, title, rationale, outcome, due_on, status, logged_at,
            implemented_at, board_id, conflict_id, logged_by_id, owner_id, owner_function_id,
            escalated_to, escalation_level)
        SELECT d, 'Decision ' || d, 'On the facts.', '', due,
               CASE WHEN due >= %(today)s THEN CASE WHEN d %% 5 = 0 THEN 'implemented'
                                                    ELSE 'open' END
                    WHEN d %% 100 < 3 THEN 'overdue' WHEN d %% 100 = 3 THEN 'open'
                    WHEN d %% 100 = 4 THEN 'superseded' ELSE 'implemented' END,
               logged,
               CASE WHEN (due >= %(today)s AND d %% 5 = 0)
                      OR (due < %(today)s AND d %% 100 >= 5) THEN logged + interval '20 days'
                    END,
               1 + d %% %(boards)s, NULL, 1, 2 + d %% (%(people)s - 1),
               CASE WHEN d %% 20 = 0 THEN NULL ELSE 1 + d %% %(functions)s END, '', 0
        FROM generate_series(1, %(decisions)s) AS d,
             LATERAL (SELECT %(now)s::timestamptz - (d %% 730) * interval '1 day'
                             - (d %% 9) * interval '1 hour' AS logged) l,
             LATERAL (SELECT (logged)::date + 30 + d %% 60 AS due) u;
        UPDATE boards_decision d SET conflict_id = c.id, logged_at = c.decided_at,
               status = 'implemented', implemented_at = c.decided_at + interval '10 days'
        FROM charter_conflict c
        WHERE c.status = 'resolved' AND d.id = c.id * 100 AND c.id * 100 <= %(decisions)s;
        INSERT INTO boards_decision_touchpoints (decision_id, touchpoint_id)
        SELECT d, 1 + (d * 7) %% %(touchpoints)s FROM generate_series(1, %(decisions)s) AS d
    """)  # fmt: skip
    step("summits", """
        INSERT INTO summits_summit (id, title, purpose, starts_on, ends_on, location, status,
            created_at, updated_at, chair_id, created_by_id)
        SELECT s, 'Summit ' || s, '', %(today)s::date - 730 + s * 18,
               %(today)s::date - 729 + s * 18, '',
               CASE WHEN s = %(summits)s THEN 'held' ELSE 'closed' END, %(now)s, %(now)s, 1, 1
        FROM generate_series(1, %(summits)s) AS s
    """)  # fmt: skip
    # Action items: due 30 to 210 days after their summit; most done (some late), some
    # cancelled, the rest open or in progress (overdue when their day has passed).
    step("action items", """
        INSERT INTO summits_actionitem (id, title, description, due_on, priority, status,
            completed_on, created_at, updated_at, board_id, created_by_id, owner_id,
            owner_function_id, summit_id, escalation_level)
        SELECT i, 'Action item ' || i, '', due,
               CASE WHEN i %% 10 = 0 THEN 'high' ELSE 'medium' END, status,
               CASE WHEN status = 'done'
                    THEN LEAST(due + (i %% 7) - 3, %(today)s::date) END,
               %(now)s, %(now)s, 1 + i %% %(boards)s, 1, owner, 1 + owner %% %(functions)s, s,
               0
        FROM generate_series(1, %(action_items)s) AS i,
             LATERAL (SELECT 1 + i %% %(summits)s AS s, 2 + (i * 13) %% (%(people)s - 1) AS owner)
                 o,
             LATERAL (SELECT %(today)s::date - 730 + s * 18 + 30 + i %% 180 AS due) u,
             LATERAL (SELECT CASE
                 WHEN due < %(today)s THEN CASE WHEN i %% 20 = 0 THEN 'cancelled'
                     WHEN i %% 20 < 3 THEN 'open' WHEN i %% 20 = 3 THEN 'in_progress'
                     ELSE 'done' END
                 ELSE CASE WHEN i %% 5 = 0 THEN 'done' WHEN i %% 5 < 3 THEN 'open'
                     ELSE 'in_progress' END
                 END AS status) st;
        INSERT INTO summits_actionitem_touchpoints (actionitem_id, touchpoint_id)
        SELECT i, 1 + (i * 11) %% %(touchpoints)s FROM generate_series(1, %(action_items)s) i
    """)  # fmt: skip
    # Escalations: from a board to the body above; a third still waiting, a few acknowledged,
    # about an overdue decision or an open conflict.
    step("escalations", """
        INSERT INTO boards_escalation (title, reason, status, raised_at, acknowledged_at,
            closed_at, response, conflict_id, decision_id, from_board_id, raised_by_id,
            to_board_id)
        SELECT 'Escalation ' || e, 'Beyond the board.', st,
               %(now)s::timestamptz - (e %% 90 + 1) * interval '1 day',
               CASE WHEN st = 'acknowledged' THEN %(now)s END,
               CASE WHEN st IN ('resolved', 'returned') THEN %(now)s END, '',
               CASE WHEN e %% 2 = 1 THEN (SELECT c.id FROM charter_conflict c
                    WHERE c.status = 'open' ORDER BY c.id OFFSET e %% 50 LIMIT 1) END,
               CASE WHEN e %% 2 = 0 THEN (SELECT d.id FROM boards_decision d
                    WHERE d.status = 'overdue' AND d.id > e * 7 ORDER BY d.id LIMIT 1) END,
               b.id, 2, b.escalates_to_id
        FROM generate_series(1, %(escalations)s) AS e,
             LATERAL (SELECT CASE WHEN e %% 10 < 3 THEN 'open' WHEN e %% 10 = 3
                 THEN 'acknowledged' WHEN e %% 10 < 9 THEN 'resolved' ELSE 'returned' END AS st)
                 s,
             LATERAL (SELECT id, escalates_to_id FROM boards_board
                 WHERE id = 2 + e %% (%(boards)s - 1)) b
    """)  # fmt: skip
    # KPIs: two per touchpoint (one in twenty retired); monthly, some weekly or quarterly;
    # half higher-is-better. Measurements: the last six periods, except one KPI in seventeen
    # not measured lately (stale); values wander around the target.
    step("kpis", """
        INSERT INTO touchpoints_kpi (id, name, unit, direction, target, at_risk_threshold,
            period, stale_after_periods, is_active, touchpoint_id)
        SELECT 2 * t - k, 'KPI ' || k, '%%', CASE WHEN k = 0 THEN 'higher' ELSE 'lower' END,
               100, CASE WHEN k = 0 THEN 90 ELSE 110 END,
               CASE WHEN t %% 10 = 1 THEN 'weekly' WHEN t %% 10 = 2 THEN 'quarterly'
                    ELSE 'monthly' END,
               2, (2 * t - k) %% 20 <> 0, t
        FROM generate_series(1, %(touchpoints)s) AS t, generate_series(0, 1) AS k
    """)  # fmt: skip
    step("measurements", """
        INSERT INTO touchpoints_measurement (period, value, source, entered_at, entered_by_id,
            kpi_id)
        SELECT CASE k.period
                 WHEN 'weekly' THEN date_trunc('week', %(today)s::date)::date - 7 * n
                 WHEN 'quarterly' THEN (date_trunc('quarter', %(today)s::date)
                                        - (n * 3) * interval '1 month')::date
                 ELSE (date_trunc('month', %(today)s::date) - n * interval '1 month')::date
               END,
               80 + (k.id * 7 + n * 13) %% 41,
               'benchmark', %(now)s, 1, k.id
        FROM touchpoints_kpi k, generate_series(1, 6) AS n
        WHERE k.id %% 17 <> 0 OR n > 3
    """)  # fmt: skip

    started = time.perf_counter()
    timings = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Stages, channels and functions: a handful of rows, through the ORM.
        from engagement.org.models import Function
        from touchpoints.models import Channel, JourneyStage

        Function.objects.bulk_create(
            Function(id=i, name=name, slug=slugify(name)) for i, name in enumerate(FUNCTIONS, 1)
        )
        JourneyStage.objects.bulk_create(
            JourneyStage(id=i, name=name, slug=slugify(name), position=i)
            for i, name in enumerate(STAGES, 1)
        )
        Channel.objects.bulk_create(
            Channel(id=i, name=name, slug=slugify(name)) for i, name in enumerate(CHANNELS, 1)
        )
        for label, sql in steps:
            began = time.perf_counter()
            for statement in (s for s in sql.split(";\n") if s.strip()):
                cursor.execute(statement, params)
            timings[label] = time.perf_counter() - began
        group, _ = Group.objects.get_or_create(name=settings.EXECUTIVE_GROUP_NAME)
        group.user_set.add(1)
        reset_sequences(cursor)
        # Django's foreign keys are checked at the commit: check them now, to time them.
        began = time.perf_counter()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        timings["foreign keys checked"] = time.perf_counter() - began
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - began
    return {"sizes": sizes, "seconds": time.perf_counter() - started, "steps": timings}


def reset_sequences(cursor) -> None:
    """Rows were inserted with explicit ids: move every identity past them."""
    from psycopg2 import sql

    cursor.execute(
        """
        SELECT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name = 'id' AND is_identity = 'YES'
        """
    )
    for (table,) in cursor.fetchall():
        cursor.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "COALESCE((SELECT MAX(id) FROM {}), 0) + 1, false)"
            ).format(sql.Identifier(table)),
            [f'"{table}"'],
        )


def counts() -> dict[str, int]:
    from django.db import connection
    from psycopg2 import sql

    tables = {
        "people": "org_user", "touchpoints": "touchpoints_touchpoint",
        "right assignments": "charter_rightassignment", "claims": "charter_claim",
        "conflicts": "charter_conflict", "boards": "boards_board",
        "meetings": "boards_meeting", "decisions": "boards_decision",
        "action items": "summits_actionitem", "escalations": "boards_escalation",
        "KPIs": "touchpoints_kpi", "measurements": "touchpoints_measurement",
    }  # fmt: skip
    found = {}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            cursor.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table)))
            found[label] = cursor.fetchone()[0]
    return found


# --- Measuring ----------------------------------------------------------------------------------


def timed(func, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        func()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure_views(runs: int) -> list[dict]:
    """Each view of the dashboard: the selector's time and its own SQL's time, per run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from boards.models import Board
    from engagement.dashboard.filters import DashboardFilters
    from engagement.dashboard.selectors import dashboard_summary
    from engagement.org.models import Function, User
    from touchpoints.models import JourneyStage

    ceo = User.objects.get(username="ceo")
    # A board of the lowest rung: it names about a hundred touchpoints.
    lowest = Board.objects.filter(name__startswith="Board ").order_by("pk")
    governing_a_hundred = lowest[min(40, lowest.count() // 2)]
    views = {
        "unfiltered": DashboardFilters(),
        "function": DashboardFilters(function=Function.objects.get(pk=1)),
        "stage": DashboardFilters(stage=JourneyStage.objects.get(pk=3)),
        "board": DashboardFilters(board=governing_a_hundred),
        "stage board": DashboardFilters(board=Board.objects.get(name="Stage board 2")),
    }
    results = []
    for name, filters in views.items():

        def run(filters=filters):
            return dashboard_summary(user=ceo, filters=filters)

        run()  # warm-up: caches, prepared plans, the first connection
        with CaptureQueriesContext(connection) as captured:
            run()
        statements = [q["sql"] for q in captured.captured_queries]

        def raw(statements=statements):
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        raw()
        # Interleaved, so a change in the machine's load weighs on both alike.
        selector, direct = [], []
        for _ in range(runs):
            selector += timed(run, 1)
            direct += timed(raw, 1)
        results.append(
            {"view": name, "queries": len(statements), "selector": selector, "raw": direct}
        )
    return results


def measure_jobs() -> dict[str, float | int]:
    """The jobs that keep the dashboard current, as the worker runs them."""
    from django.db import connection

    from engagement.dashboard.models import (
        ActionItemStage,
        DashboardSnapshot,
        DecisionStage,
        TouchpointSummary,
    )
    from engagement.dashboard.services import snapshot_take, touchpoint_summaries_refresh

    began = time.perf_counter()
    refresh = touchpoint_summaries_refresh()
    refreshed = time.perf_counter() - began
    began = time.perf_counter()
    refresh_again = touchpoint_summaries_refresh()
    refreshed_again = time.perf_counter() - began
    # Statistics on the tables the jobs just filled, as autovacuum gathers them after a first
    # fill: without them the planner guesses a few hundred rows where there are thousands.
    with connection.cursor() as cursor:
        for model in (TouchpointSummary, DecisionStage, ActionItemStage):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    DashboardSnapshot.objects.all().delete()
    began = time.perf_counter()
    report = snapshot_take()
    snapshot = time.perf_counter() - began
    began = time.perf_counter()
    retaken = snapshot_take()
    retake = time.perf_counter() - began
    return {
        "refresh_s": refreshed,
        "refresh_rows": refresh.changed,
        "refresh_again_s": refreshed_again,
        "refresh_again_rows": refresh_again.changed,
        "snapshot_s": snapshot,
        "snapshot_rows": report.taken,
        "retake_s": retake,
        "retake_rows": retaken.taken,
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full enterprise")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per view")
    parser.add_argument("--database", default=BENCH_DB, help="name of the benchmark database")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a kept database again (no re-seeding)"
    )
    args = parser.parse_args()

    bench_url, maintenance_url = database_urls(args.database)
    reuse = args.reuse and database_exists(maintenance_url, args.database)
    if not reuse:
        recreate_database(maintenance_url, args.database)
    django_setup(bench_url)
    from django.core.management import call_command

    ok = False
    try:
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter() - began
        seeded = None
        if not reuse:
            print(f"Seeding {args.database} (scale {args.scale:g}) ...", flush=True)
            seeded = seed(args.scale)
        sizes = counts()
        print(
            f"Database {args.database}: "
            + ", ".join(f"{n:,} {label}" for label, n in sizes.items())
        )
        jobs = measure_jobs()
        views = measure_views(args.runs)
        ok = report(migrated, seeded, jobs, views)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(maintenance_url, args.database, drop_only=True)
    return 0 if ok else 1


def report(migrated: float, seeded: dict | None, jobs: dict, views: list[dict]) -> bool:
    print()
    if seeded:
        print(f"  migrate + seed (s)   {migrated:.1f} + {seeded['seconds']:.1f}")
        print(
            "    "
            + ", ".join(f"{label} {seconds:.1f}" for label, seconds in seeded["steps"].items())
        )
    print(
        f"  summary table refreshed (s)   {jobs['refresh_s']:.1f}  ({jobs['refresh_rows']:,} rows"
        f" written; again: {jobs['refresh_again_s']:.1f} s, {jobs['refresh_again_rows']:,} rows)"
    )
    print(
        f"  weekly snapshot taken (s)     {jobs['snapshot_s']:.1f}  "
        f"({jobs['snapshot_rows']} scopes; taken again: {jobs['retake_rows']} rows, "
        f"{jobs['retake_s'] * 1000:.0f} ms)"
    )
    print()
    header = (
        f"  {'view':<12} {'queries':>7}  {'median ms':>9} {'p95 ms':>7}  "
        f"{'raw SQL median':>14} {'p95':>7}  {'ratio':>5}  {'limit ms':>8}  verdict"
    )
    print(header)
    failed = []
    for row in views:
        med, raw_med = statistics.median(row["selector"]), statistics.median(row["raw"])
        limit = min(LIMITS["ratio"] * raw_med + LIMITS["slack_ms"], LIMITS["ceiling_ms"])
        ok = med <= LIMITS["ratio"] * raw_med + LIMITS["slack_ms"] and med < LIMITS["ceiling_ms"]
        if not ok:
            failed.append(row["view"])
        print(
            f"  {row['view']:<12} {row['queries']:>7}  {med:>9.1f} {p95(row['selector']):>7.1f}"
            f"  {raw_med:>14.1f} {p95(row['raw']):>7.1f}  {med / raw_med:>5.2f}  {limit:>8.1f}"
            f"  {verdict(ok)}"
        )
    print()
    print(
        f"  Targets: median <= {LIMITS['ratio']} x raw SQL + {LIMITS['slack_ms']:.0f} ms, "
        f"and < {LIMITS['ceiling_ms']:.0f} ms."
    )
    if failed:
        print(f"  {verdict(False)}  {', '.join(failed)} ({len(failed)} of {len(views)} views)")
    else:
        print(f"  {verdict(True)}  every view")
    return not failed


if __name__ == "__main__":
    sys.exit(main())
