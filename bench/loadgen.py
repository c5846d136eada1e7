"""A small asyncio HTTP/1.1 load client: keep-alive connections, exact
timestamps per request and per stream frame. Python's HTTP libraries add
their own milliseconds; raw sockets keep the client's share small and equal
for the direct and the relayed runs."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    status: int
    latency: float                 # seconds, request written -> response complete
    first_token: float | None = None   # seconds to the first content frame (streams)
    frames: int = 0
    done: bool = False                 # a stream that ended with its [DONE]


@dataclass
class Target:
    host: str
    port: int
    path: str
    headers: dict = field(default_factory=dict)

    def request(self, body: bytes) -> bytes:
        lines = [f"POST {self.path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Content-Type: application/json", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, target: Target):
        self.target = target
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.target.host, self.target.port)
        return self

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass

    async def send(self, body: bytes, stream: bool = False) -> Result:
        start = time.perf_counter()
        self.writer.write(self.target.request(body))
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked = None, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        result = Result(status=status, latency=0.0)
        if chunked:
            await self._read_chunked(result, start, stream)
        elif length:
            await self.reader.readexactly(length)
        result.latency = time.perf_counter() - start
        return result

    async def _read_chunked(self, result: Result, start: float, stream: bool) -> None:
        while True:
            size_line = await self.reader.readline()
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await self.reader.readline()
                return
            data = await self.reader.readexactly(size)
            await self.reader.readline()
            if stream:
                result.frames += data.count(b"data: ")
                result.done = result.done or b"data: [DONE]" in data
                if result.first_token is None and b'"content":"' in data and b'"content":""' not in data:
                    result.first_token = time.perf_counter() - start


async def run_closed_loop(target: Target | list[Target], body: bytes, concurrency: int, duration: float,
                          stream: bool = False) -> list[Result]:
    """`concurrency` connections each sending back to back for `duration` s
    (given several targets, connection i uses target i modulo their number:
    one key per connection)."""
    results: list[Result] = []
    deadline = time.perf_counter() + duration
    targets = target if isinstance(target, list) else [target]

    async def worker(i: int):
        conn = await Connection(targets[i % len(targets)]).open()
        try:
            while time.perf_counter() < deadline:
                results.append(await conn.send(body, stream))
        finally:
            await conn.close()

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return results


async def run_count(target: Target, body: bytes, count: int, stream: bool = False) -> list[Result]:
    """`count` requests one after another on one connection (concurrency 1)."""
    conn = await Connection(target).open()
    try:
        return [await conn.send(body, stream) for _ in range(count)]
    finally:
        await conn.close()


async def hold_streams(target: Target, body: bytes, count: int, measure, timeout: float = 60.0) -> dict:
    """Open `count` streams at once; when every one has its first frame, call
    `measure()` while they are all open, then hang up on all of them.
    Returns {"opened": n, "measured": measure()'s result}."""
    conns: list[Connection] = []
    opened = 0
    all_open = asyncio.Event()

    async def one():
        nonlocal opened
        conn = await Connection(target).open()
        conns.append(conn)
        conn.writer.write(target.request(body))
        status = int((await conn.reader.readline()).split()[1])
        if status != 200:
            return
        await conn.reader.readuntil(b"data: ")
        opened += 1
        if opened == count:
            all_open.set()

    tasks = [asyncio.create_task(one()) for _ in range(count)]
    try:
        await asyncio.wait_for(all_open.wait(), timeout)
    except asyncio.TimeoutError:
        pass
    measured = measure()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for conn in conns:
        await conn.close()
    return {"opened": opened, "measured": measured}


async def burst_streams(target: Target, body: bytes, count: int, over: float, timeout: float = 60.0) -> list[Result]:
    """Open `count` streams spread evenly over `over` seconds, each on a new
    connection. Times run from before the connection is opened, so a server
    slow to accept under the burst shows in first_token."""
    begin = time.perf_counter()

    async def one(i: int) -> Result:
        await asyncio.sleep(max(0.0, begin + i * over / count - time.perf_counter()))
        start = time.perf_counter()
        conn = Connection(target)
        try:
            await conn.open()
            connected = time.perf_counter() - start
            result = await conn.send(body, stream=True)  # times from its own start: add the connect
            if result.first_token is not None:
                result.first_token += connected
            result.latency += connected
            return result
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            return Result(status=0, latency=time.perf_counter() - start)
        finally:
            await conn.close()

    return list(await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(count))), timeout))
