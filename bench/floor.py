"""The floor: the least a Flask relay on this stack can do for a chat call.

No auth, no money, no logs, no dialects: the body is forwarded as is to one
upstream with a pooled urllib3 client and the answer passed back, a stream
event by event (as Tollgate relays them). Served by gunicorn with the same
gevent worker settings as Tollgate, its figures are what Flask + gevent +
urllib3 cost by themselves; Tollgate minus the floor is what the money path
costs.

    FLOOR_UPSTREAM=http://127.0.0.1:PORT gunicorn -k gevent -w 1 bench.floor:app
"""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402

import urllib3  # noqa: E402
from flask import Flask, Response, request  # noqa: E402

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


def create_app(upstream: str | None = None) -> Flask:
    base = (upstream or os.environ["FLOOR_UPSTREAM"]).rstrip("/")
    key = os.environ.get("FLOOR_UPSTREAM_KEY", "sk-upstream")
    # Sized like Tollgate's pool (services/relay/adapters/http.py).
    pool = urllib3.PoolManager(num_pools=4, maxsize=512, block=False, retries=False)
    timeout = urllib3.Timeout(connect=5.0, read=60.0)
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    @app.post("/v1/chat/completions")
    def chat():
        body = request.get_data()
        stream = b'"stream": true' in body or b'"stream":true' in body
        upstream_response = pool.request(
            "POST", base + "/chat/completions", body=body, preload_content=not stream, redirect=False,
            timeout=timeout, headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
        headers = {k: v for k, v in upstream_response.headers.items() if k.lower() not in HOP_BY_HOP}
        if not stream:
            return Response(upstream_response.data, status=upstream_response.status, headers=headers)

        def events():
            # One frame per upstream event, so frames go out as they come in.
            finished = False
            try:
                pending = b""
                for chunk in upstream_response.stream(16384, decode_content=False):
                    pending += chunk
                    while b"\n\n" in pending:
                        event, pending = pending.split(b"\n\n", 1)
                        yield event + b"\n\n"
                if pending:
                    yield pending
                finished = True
            finally:
                # Pooled again only when read to the end (an unfinished
                # answer on a reused connection breaks the next request).
                if finished:
                    upstream_response.release_conn()
                else:
                    upstream_response.close()

        return Response(events(), status=upstream_response.status, headers=headers)

    return app


app = create_app() if "FLOOR_UPSTREAM" in os.environ else None
