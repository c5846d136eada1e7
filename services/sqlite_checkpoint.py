"""SQLite's write-ahead log checkpointed beside the requests, not inside one.

By default SQLite checkpoints when a commit fills the log past 1,000 pages:
that commit copies the log into the database file and syncs it, and its
request waits (about 17 ms on this project's machine, at the p99 of c=1 in
bench/run.py). Under gunicorn each worker instead runs a PASSIVE checkpoint
every SQLITE_CHECKPOINT_SECONDS from a native thread (the sqlite3 module
lets go of the GIL while it works, so the worker's greenlets keep running);
the request connections keep a far larger automatic threshold as a
backstop, should the thread ever fall behind.
"""
from __future__ import annotations

import logging
import os
import sqlite3

from flask import Flask
from gevent.monkey import get_original
from sqlalchemy import event

from extensions import db

log = logging.getLogger("tollgate.sqlite")

BACKSTOP_PAGES = 10_000  # 10 MB of log at the 1 KiB pages app.py gives a new database


def _backstop(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cursor.close()


def checkpoint(path: str) -> tuple[int, int, int]:
    """One PASSIVE checkpoint: (busy, log pages, pages checkpointed)."""
    conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=0, isolation_level=None)
    try:
        return tuple(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
    finally:
        conn.close()


def _loop(path: str, seconds: float, sleep) -> None:
    while True:
        sleep(seconds)
        if not os.path.exists(path):
            return  # the database was removed (a test's): nothing left to do
        try:
            checkpoint(path)
        except sqlite3.Error as exc:  # busy or gone for a moment: the next turn tries again
            log.debug("checkpoint of %s: %s", path, exc)


def start_checkpointer(app: Flask) -> bool:
    """Start the worker's checkpoint thread when the database is a SQLite
    file and SQLITE_CHECKPOINT_SECONDS > 0. True if started."""
    seconds = app.config["SQLITE_CHECKPOINT_SECONDS"]
    with app.app_context():
        engine = db.engine
        path = engine.url.database
        if seconds <= 0 or engine.dialect.name != "sqlite" or not path or path == ":memory:":
            return False
        event.listen(engine, "connect", _backstop)
        engine.dispose()  # connections made before now get the backstop too
    # A real thread and sleep, also when gevent has patched threading.
    get_original("_thread", "start_new_thread")(_loop, (path, seconds, get_original("time", "sleep")))
    return True
