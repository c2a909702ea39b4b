"""A lean HTTP/1.1 load generator: keep-alive requests over raw asyncio streams.

The server, PostgreSQL and the generator share two cores, so every microsecond the generator spends is
taken from the server it measures. httpx costs about 1.5 ms of CPU a request here (half a core at 320
requests/s); writing a prepared request and reading the answer by its Content-Length costs a few tens of
microseconds, which leaves the cores to what is being measured."""

import asyncio
from collections.abc import Sequence
from urllib.parse import urlsplit


class LoadError(RuntimeError):
    pass


class Connection:
    """One keep-alive connection sending one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, base_url: str) -> "Connection":
        parts = urlsplit(base_url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        return cls(reader, writer)

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send a prepared request (see `prepare` and `form_post`); the status and the body of the answer."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = _content_length(head)
        body = await self.reader.readexactly(length)
        return status, body

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def prepare(base_url: str, paths: Sequence[str]) -> list[bytes]:
    """The bytes of a GET for each path, built once before the load starts."""
    host = urlsplit(base_url).netloc
    return [f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode() for path in paths]


def form_post(base_url: str, path: str, fields: str) -> bytes:
    """The bytes of a POST of an urlencoded form (`fields`, already encoded)."""
    host = urlsplit(base_url).netloc
    body = fields.encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise LoadError(f"an answer without Content-Length: {head[:200]!r}")
