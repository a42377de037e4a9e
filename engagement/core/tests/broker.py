"""The broker as tests that start a real worker need it: empty."""

from __future__ import annotations


def reset_broker() -> None:
    """Drop waiting and unacknowledged messages left by earlier tests: deliveries enqueued
    after a commit with no worker to take them, and the message of a worker killed with
    SIGKILL (unacknowledged until the visibility timeout, an hour). A worker started for a
    test then sees only what that test sends."""
    from engagement.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
        client = conn.default_channel.client
        client.delete("unacked", "unacked_index", "unacked_mutex")
