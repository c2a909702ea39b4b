"""The docs and CORS as a browser meets them: the real app under uvicorn on a SQLite file, and headless Chromium
that can resolve no host but 127.0.0.1, so anything a page would fetch from a CDN or a font service fails.

One run, whatever TEST_DATABASE_URL says: nothing here is about the database. Chromium must be installed
(`.ci/run` installs Debian's); without it these tests fail rather than pass unseen."""

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from websockets.sync.client import ClientConnection, connect

from tests.conftest import alembic_config
from tests.servers import STARTUP_SECONDS, running_app

pytestmark = pytest.mark.xdist_group("browser")

PAGE_SECONDS = 60

# A storefront on another origin: it calls the API as an integrator's page would, and writes what it got
# into the page, `blocked` where the browser kept the answer from it.
STOREFRONT_PAGE = """<!DOCTYPE html>
<html><head><title>storefront</title></head>
<body>
<pre id="read"></pre><pre id="health"></pre><pre id="problem"></pre>
<script>
const api = new URLSearchParams(location.search).get("api");
async function probe(id, request) {
  let result;
  try {
    const response = await request();
    const body = response.headers.get("content-type").includes("json") ? await response.json() : {};
    result = [response.status, body.code || "-", response.headers.get("x-request-id") ? "id" : "no-id"].join(" ");
  } catch (error) {
    result = "blocked " + error.name;
  }
  document.getElementById(id).textContent = id + ": " + result;
}
Promise.all([
  probe("read", () => fetch(api + "/v1/catalogue/products")),
  probe("health", () => fetch(api + "/healthz")),
  probe("problem", () => fetch(api + "/v1/consumer-groups", {
    method: "POST",
    headers: {"Content-Type": "application/json", "Authorization": "Bearer not-a-token"},
    body: JSON.stringify({name: "From a storefront"}),
  })),
]).then(() => { document.title = "done"; });
</script>
</body></html>
"""


@dataclass(frozen=True)
class Page:
    dom: str
    console: str


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is not installed: `apt-get install -y chromium` (.ci/run installs it when missing).")
    return found


@pytest.fixture(scope="module")
def pages_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("storefront")
    (root / "storefront.html").write_text(STOREFRONT_PAGE)
    return root


@pytest.fixture(scope="module")
def storefronts(pages_root: Path) -> Iterator[tuple[str, str]]:
    """Two origins serving the same page: the first is in CORS_ALLOWED_ORIGINS, the second is not."""
    handler = partial(QuietHandler, directory=str(pages_root))
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler) for _ in range(2)]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    yield tuple(f"http://127.0.0.1:{server.server_port}" for server in servers)  # type: ignore[misc]
    for server, thread in zip(servers, threads, strict=True):
        server.shutdown()
        server.server_close()
        thread.join()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, storefronts: tuple[str, str]) -> Iterator[str]:
    """The app as `make run` serves it (tests/servers.py), allowing one storefront."""
    database = tmp_path_factory.mktemp("browser") / "browser.db"
    url = f"sqlite+aiosqlite:///{database}"
    command.upgrade(alembic_config(url=url), "head")
    environment = {
        "DATABASE_URL": url,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
        "CORS_ALLOWED_ORIGINS": storefronts[0],
        "DOCS_ENABLED": "true",
        "OPENAPI_ENABLED": "true",
    }
    with running_app(environment) as address:
        yield address


@contextmanager
def running_chromium(executable: str, profile: Path) -> Iterator["Chromium"]:
    process = subprocess.Popen(
        [
            executable,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            # Only this machine answers: a CDN, a font service or a validator badge cannot be reached.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with connect(debugger_address(process, profile), max_size=None, open_timeout=PAGE_SECONDS) as connection:
            yield Chromium(connection)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def debugger_address(process: subprocess.Popen[bytes], profile: Path) -> str:
    """Where the browser's DevTools listen, as Chromium writes it into the profile once it is up."""
    announced = profile / "DevToolsActivePort"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        lines = announced.read_text().split() if announced.exists() else []
        if len(lines) == 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        if process.poll() is not None:
            pytest.fail(f"Chromium stopped at start with exit status {process.returncode}.")
        time.sleep(0.05)
    pytest.fail(f"Chromium opened no DevTools port within {STARTUP_SECONDS} s.")


class Chromium:
    """Headless Chromium driven over the DevTools protocol: a page is read as soon as what it should show is
    there, instead of after a fixed wait."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.next_id = 0
        self.console: dict[str, list[str]] = {}

    def call(self, method: str, session: str | None = None, **params: object) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, object] = {"id": self.next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self.connection.send(json.dumps(message))
        while True:
            answer = json.loads(self.connection.recv(timeout=PAGE_SECONDS))
            self._note(answer)
            if answer.get("id") == self.next_id:
                assert "error" not in answer, answer
                result: dict[str, Any] = answer["result"]
                return result

    def _note(self, event: dict[str, Any]) -> None:
        """Keep what a page writes to the console and the errors it throws, per page."""
        said = self.console.setdefault(event.get("sessionId", ""), [])
        if event.get("method") == "Runtime.exceptionThrown":
            details = event["params"]["exceptionDetails"]
            said.append(details.get("exception", {}).get("description") or details["text"])
        elif event.get("method") == "Runtime.consoleAPICalled":
            said.append(" ".join(str(argument.get("value", "")) for argument in event["params"]["args"]))

    def open(self, url: str) -> str:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session: str = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Runtime.enable", session)
        self.call("Page.navigate", session, url=url)
        return session

    def evaluate(self, session: str, expression: str) -> Any:
        return self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)["result"].get("value")

    def read_when(self, session: str, condition: str) -> Page:
        """The page's DOM once `condition` (JavaScript) holds, or as it is when the time is up."""
        deadline = time.monotonic() + PAGE_SECONDS
        while not self.evaluate(session, f"Boolean({condition})") and time.monotonic() < deadline:
            time.sleep(0.1)
        dom = self.evaluate(session, "document.documentElement.outerHTML")
        return Page(dom=dom, console="\n".join(self.console.get(session, [])))


@pytest.fixture(scope="module")
def pages(
    api: str, storefronts: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Page]]:
    """Every page this module looks at, opened side by side in one browser."""
    allowed, refused = storefronts
    waits = {
        "docs": (f"{api}/docs", "document.querySelector('.opblock') && document.querySelector('.authorize')"),
        "redoc": (f"{api}/redoc", "document.querySelector('[data-section-id^=\"operation/\"]')"),
        "allowed storefront": (f"{allowed}/storefront.html?api={api}", "document.title === 'done'"),
        "refused storefront": (f"{refused}/storefront.html?api={api}", "document.title === 'done'"),
    }
    with running_chromium(chromium(), tmp_path_factory.mktemp("chromium")) as browser:
        sessions = {name: browser.open(url) for name, (url, _) in waits.items()}
        yield {name: browser.read_when(sessions[name], condition) for name, (_, condition) in waits.items()}


def test_chromium_is_installed() -> None:
    chromium()


def test_swagger_ui_lists_the_operations_and_offers_authorize_offline(pages: dict[str, Page]) -> None:
    page = pages["docs"]

    assert "SwaggerUIBundle is not defined" not in page.console
    assert "opblock-summary-path" in page.dom, page.console[-2000:]
    assert 'data-path="/v1/consumer-groups"' in page.dom
    assert 'data-path="/v1/gatherings"' in page.dom
    assert "authorize" in page.dom
    assert ">Authorize<" in page.dom


def test_redoc_lists_the_operations_offline(pages: dict[str, Page]) -> None:
    page = pages["redoc"]

    assert "Redoc is not defined" not in page.console
    assert "List Consumer Groups" in page.dom, page.console[-2000:]
    assert "Create Gathering" in page.dom
    assert "/v1/catalogue/products" in page.dom


def test_a_storefront_on_an_allowed_origin_reads_the_api_and_its_problems(pages: dict[str, Page]) -> None:
    dom = pages["allowed storefront"].dom

    assert "<title>done</title>" in dom, pages["allowed storefront"].console[-2000:]
    assert "read: 200 - id" in dom
    assert "health: 200 - id" in dom
    # Preflighted (Authorization, a JSON body), then refused: the page can read the problem and its request id.
    assert "problem: 401 invalid-token id" in dom or "problem: 401 not-authenticated id" in dom


def test_a_storefront_on_another_origin_is_kept_from_every_answer(pages: dict[str, Page]) -> None:
    dom = pages["refused storefront"].dom

    assert "<title>done</title>" in dom, pages["refused storefront"].console[-2000:]
    assert "read: blocked TypeError" in dom
    assert "health: blocked TypeError" in dom
    assert "problem: blocked TypeError" in dom
