"""Reading a streaming upstream body (services.relay.adapters.transport.body_chunks)
from a real HTTP server on loopback: chunk by chunk, decoded when encoded, and
network failures as UpstreamError."""
import gzip
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3

from services.relay.adapters import http
from services.relay.adapters.base import UpstreamError
from services.relay.adapters.transport import body_chunks

EVENTS = [b'data: {"n": %d}\n\n' % n for n in range(5)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _head(self, **headers):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def _chunk(self, data: bytes):
        self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def do_GET(self):
        if self.path == "/events":
            self._head(Transfer_Encoding="chunked")
            for event in EVENTS:
                self._chunk(event)
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/gzip":
            body = gzip.compress(b"".join(EVENTS))
            self._head(Content_Encoding="gzip", Content_Length=str(len(body)))
            self.wfile.write(body)
        elif self.path == "/broken":
            self._head(Transfer_Encoding="chunked")
            self._chunk(EVENTS[0])
            self.wfile.write(b"40\r\npartial")  # a chunk of 64 bytes that never ends
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        elif self.path == "/silent":
            self._head(Transfer_Encoding="chunked")
            self._chunk(EVENTS[0])
            time.sleep(1.0)
            self.close_connection = True


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def pool():
    manager = urllib3.PoolManager(retries=False)
    yield manager
    manager.clear()


def open_stream(pool, url):
    return pool.request("GET", url, preload_content=False, timeout=urllib3.Timeout(connect=2, read=2))


def test_a_chunked_body_comes_chunk_by_chunk_and_its_connection_goes_back(server, pool):
    response = open_stream(pool, server + "/events")
    assert http.body_reader(response).__self__ is response._fp  # http.client's read1, under urllib3's
    assert list(body_chunks(response)) == EVENTS
    http.finish(response)
    assert response.isclosed()
    assert pool.connection_from_url(server).num_connections == 1
    again = open_stream(pool, server + "/events")  # on the kept-alive connection
    assert b"".join(body_chunks(again)) == b"".join(EVENTS)
    assert pool.connection_from_url(server).num_connections == 1


def test_an_encoded_body_is_decoded(server, pool):
    response = open_stream(pool, server + "/gzip")
    assert http.body_reader(response) == response.read1  # urllib3's, which decodes
    assert b"".join(body_chunks(response)) == b"".join(EVENTS)


def test_a_body_that_breaks_off_is_an_upstream_error(server, pool):
    response = open_stream(pool, server + "/broken")
    chunks = body_chunks(response)
    assert next(chunks) == EVENTS[0]
    with pytest.raises(UpstreamError) as raised:
        list(chunks)
    assert "broke off" in raised.value.message
    assert not raised.value.timeout


def test_an_upstream_silent_past_the_idle_timeout_is_a_timeout(server, pool):
    response = open_stream(pool, server + "/silent")
    http.set_idle_timeout(response, 0.2)
    chunks = body_chunks(response)
    assert next(chunks) == EVENTS[0]
    with pytest.raises(UpstreamError) as raised:
        list(chunks)
    assert raised.value.timeout
