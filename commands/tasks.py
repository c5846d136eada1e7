"""`flask tasks ...`: the task poller run apart, and a look at open tasks."""
from __future__ import annotations

import sys

import click
from flask import current_app

from services.tasks import poller, store


@click.group(help="Tasks: videos, Midjourney, Suno and image tasks that finish after their request.")
def tasks():
    pass


@tasks.command("work")
@click.option("--once", is_flag=True, help="One round (timeouts, then the due tasks), then exit.")
def tasks_work(once):
    """Poll the upstreams of open tasks, settle or release those that ended,
    every TASK_POLL_SECONDS (5 when it is 0). Any number of these, and the
    workers' in-process pollers, can run side by side: each task is claimed
    by one at a time and finished exactly once."""
    app = current_app._get_current_object()
    if once:
        click.echo(f"polled {poller.poll_once()} task(s)")
        return
    click.echo(f"polling tasks every {app.config['TASK_POLL_SECONDS'] or 5.0:g} s (Ctrl-C to stop)")
    poller.work(app)


@tasks.command("list")
@click.option("--status", type=click.Choice(["queued", "in_progress", "succeeded", "failed"]), default=None)
@click.option("--limit", type=int, default=20, show_default=True)
def tasks_list(status, limit):
    """The latest tasks, newest first."""
    for task in store.recent(limit=limit, status=status):
        click.echo(f"{task.id}  {task.family:<14} {task.status:<11} {task.progress:>3}%  account {task.account_id}  "
                   f"{task.model}  hold {task.hold}  cost {task.cost if task.cost is not None else '-'}  "
                   f"{task.created_at:%Y-%m-%d %H:%M:%S}")


@tasks.command("fail")
@click.argument("task_id")
@click.option("--reason", required=True, help="Why (kept in the audit log).")
def tasks_fail(task_id, reason):
    """Fail a stuck task and release its hold."""
    released = store.fail_by_operator(task_id, None, reason)
    if released is None:
        click.echo(f"no open task {task_id}", err=True)
        sys.exit(1)
    click.echo(f"task {task_id} failed; its hold is released")
