"""The WSGI entry point for gunicorn: gevent patches the standard library
before anything else is imported."""
from gevent import monkey

monkey.patch_all()

from services import psycopg_gevent  # noqa: E402

psycopg_gevent.install()  # psycopg waits on gevent's watchers, not its emulated poll()

from app import create_app  # noqa: E402
from services.relay.health import start_scheduler  # noqa: E402
from services.sqlite_checkpoint import start_checkpointer  # noqa: E402
from services.tasks.poller import start_poller  # noqa: E402

app = create_app()
start_scheduler(app)  # only when HEALTH_CHECK_SECONDS is set
start_poller(app)  # unless TASK_POLL_SECONDS is 0
start_checkpointer(app)  # SQLite only, unless SQLITE_CHECKPOINT_SECONDS is 0
