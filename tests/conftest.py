"""Shared fixtures. Servers are real processes on 127.0.0.1; databases are
throwaway SQLite files or PostgreSQL databases made for the run."""
from __future__ import annotations

import os
import tempfile

os.environ.setdefault("TOLLGATE_ENV", "testing")
os.environ.setdefault("TOLLGATE_INSTANCE_DIR", tempfile.mkdtemp(prefix="tollgate-test-instance-"))

import pytest  # noqa: E402

from tests.support.databases import PostgresDatabase, postgres_unavailable  # noqa: E402


def pytest_configure(config):
    # `make test` compiles the translations; a bare `pytest` after editing a
    # .po must not test the old .mo (or none: every page would be English).
    import i18n

    i18n.compile_stale()


@pytest.fixture(scope="session")
def fake_upstream():
    from tests.fakes.upstream_client import FakeUpstream

    fake = FakeUpstream()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def upstream(fake_upstream):
    """The fake upstream with counters and recorded requests reset."""
    fake_upstream.reset()
    return fake_upstream


class DatabaseFactory:
    """Makes databases of one kind and cleans them up."""

    def __init__(self, kind: str, tmp_path_factory):
        self.kind = kind
        self._tmp = tmp_path_factory
        self._pg: list[PostgresDatabase] = []

    def new(self) -> str:
        if self.kind == "sqlite":
            return "sqlite:///" + str(self._tmp.mktemp("db") / "tollgate.db")
        database = PostgresDatabase()
        self._pg.append(database)
        return database.url

    def cleanup(self) -> None:
        for database in self._pg:
            database.drop()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def databases(request, tmp_path_factory):
    """Parametrises a module over SQLite and PostgreSQL (skipped, with the
    reason, when PostgreSQL does not answer)."""
    if request.param == "postgres":
        reason = postgres_unavailable()
        if reason:
            pytest.skip(reason)
    factory = DatabaseFactory(request.param, tmp_path_factory)
    yield factory
    factory.cleanup()


@pytest.fixture(scope="module")
def sqlite_databases(tmp_path_factory):
    factory = DatabaseFactory("sqlite", tmp_path_factory)
    yield factory
    factory.cleanup()
