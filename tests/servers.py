"""The real app under uvicorn in a process of its own, on a socket opened here (no port to race for), for the
tests that meet it as a browser or an integrator's program would."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import ROOT

STARTUP_SECONDS = 30


def free_socket() -> socket.socket:
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    listening.listen(128)
    return listening


@contextmanager
def running_app(environment: dict[str, str]) -> Iterator[str]:
    """The app as `make run` serves it, with `environment` over this process's; yields its address once it
    answers /healthz, and stops it afterwards."""
    listening = free_socket()
    address = f"http://127.0.0.1:{listening.getsockname()[1]}"
    arguments = ["--factory", "app.main:create_app", "--fd", str(listening.fileno()), "--no-access-log"]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *arguments],
        cwd=ROOT,
        env={**os.environ, **environment},
        pass_fds=(listening.fileno(),),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    listening.close()
    try:
        wait_until_ready(server, address)
        yield address
    finally:
        server.terminate()
        try:
            server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


def wait_until_ready(server: subprocess.Popen[bytes], address: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            _, errors = server.communicate()
            pytest.fail(f"The app did not start:\n{errors.decode(errors='replace')}")
        try:
            if httpx.get(f"{address}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"The app did not answer /healthz within {STARTUP_SECONDS} s.")
