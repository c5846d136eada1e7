import pytest

from extensions import db
from tests.support.stack import make_app, migrate


@pytest.fixture
def app(databases):
    """An app on a fresh, migrated database (SQLite and PostgreSQL), with an
    app context pushed."""
    app = make_app(databases.new())
    migrate(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
