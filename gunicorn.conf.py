"""gunicorn settings. gunicorn reads ./gunicorn.conf.py by itself when it is
started from this directory (`make run`, the tests); from elsewhere pass
`-c /path/to/tollgate/gunicorn.conf.py`. Command-line flags still win.

Prometheus multiprocess mode: every worker writes its counts to files in
PROMETHEUS_MULTIPROC_DIR, and /metrics adds them up. The variable must be
set before a worker imports prometheus_client, so it is set here, in the
master, before any worker (or a --preload'ed app) exists:
- set by the operator: that directory is used, and its *.db files wiped now
  (one directory per gunicorn master; never share one between two);
- not set: a fresh temporary directory, removed when the master exits.
A worker that exits has its live gauges (open streams) dropped; its
counters stay in the sums, as Prometheus expects of counters.

LOG_FORMAT=json also turns gunicorn's own lines (its error log and the
access log) into JSON objects, so every line of output parses.
"""
import glob
import logging
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

_own_metrics_dir = None


def _prepare_metrics_dir() -> None:
    global _own_metrics_dir
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        path = _own_metrics_dir = tempfile.mkdtemp(prefix="tollgate-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    os.makedirs(path, exist_ok=True)
    for stale in glob.glob(os.path.join(path, "*.db")):
        os.remove(stale)


_prepare_metrics_dir()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)


if (os.environ.get("LOG_FORMAT") or "").strip().lower() == "json":
    from gunicorn.glogging import Logger

    from services.logs import JsonFormatter

    class JsonLogger(Logger):
        """gunicorn's logger with every handler writing JSON lines."""

        def setup(self, cfg):
            super().setup(cfg)
            for logger in (self.error_log, self.access_log):
                for handler in logger.handlers:
                    handler.setFormatter(JsonFormatter())

    logger_class = JsonLogger
