"""The worker's own thread checkpoints SQLite's write-ahead log, so no
request's commit does."""
import os
import time

import pytest
from sqlalchemy import text

from extensions import db
from services import sqlite_checkpoint
from tests.support.stack import make_app, migrate


@pytest.fixture
def sqlite_app(sqlite_databases):
    app = make_app(sqlite_databases.new())
    app.config["SQLITE_CHECKPOINT_SECONDS"] = 0.05
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_thread_copies_the_log_into_the_database_file(sqlite_app):
    assert sqlite_checkpoint.start_checkpointer(sqlite_app)
    with sqlite_app.app_context():
        path = db.engine.url.database
        with db.engine.begin() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == sqlite_checkpoint.BACKSTOP_PAGES
            conn.execute(text("CREATE TABLE blobs (data BLOB)"))
            conn.execute(text("INSERT INTO blobs VALUES (randomblob(2000000))"))
    # The commit left 2 MB in the log, far below the backstop: only the
    # thread copies it into the database file.
    deadline = time.monotonic() + 10
    while os.path.getsize(path) < 2_000_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.getsize(path) >= 2_000_000


def test_not_started_when_turned_off_or_not_a_sqlite_file(sqlite_app):
    sqlite_app.config["SQLITE_CHECKPOINT_SECONDS"] = 0
    assert not sqlite_checkpoint.start_checkpointer(sqlite_app)
    memory = make_app("sqlite://")
    assert not sqlite_checkpoint.start_checkpointer(memory)


def test_a_new_database_gets_small_pages_and_the_write_ahead_log(sqlite_app):
    # Every commit writes each page it dirtied whole, so the page size is a
    # cost of every request's commit (bench/ledger.py).
    migrate(sqlite_app)
    with sqlite_app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA page_size")).scalar() == 1024
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
