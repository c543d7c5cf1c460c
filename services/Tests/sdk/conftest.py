"""SDK integration suite for lurus-gateway.

These tests drive the gateway with the official Python SDKs (openai, anthropic, google-genai),
raw httpx and nats-py, against the fake upstream (`lurus-fake-upstream`) and a real `nats-server`.
Every process is started here, on free loopback ports, in temporary directories.

How to run (from the repository root, after `cd services && swift build`):

    /var/cache/lurusctl/venv/bin/python -m pytest services/Tests/sdk -q

The venv needs: pip install pytest openai anthropic google-genai nats-py httpx
Binaries used: services/.build/debug/lurus-gateway, services/.build/debug/lurus-fake-upstream and
nats-server (PATH or /usr/sbin/nats-server); LURUS_BUILD_DIR=/path/to/.build/release points the
suite at other builds. A missing binary fails the suite, it never skips.

Shared (session) parts: one fake upstream, one NATS server, one gateway with the standard catalog.
Tests needing special settings (cooldowns, billing, limits, drain, spool) start their own gateway
with `make_gateway(...)`; it is stopped when the test ends. The fake is reset before every test.

After each test, the fixture waits for the fake's answers still in flight to end, so one test's
requests (and the gateway's accounting of them) do not run into the next.
Tests whose failure message starts with "GATEWAY BUG" fail on purpose: they describe a defect.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import httpx
import pytest

SERVICES = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("LURUS_BUILD_DIR") or SERVICES / ".build" / "debug")
GATEWAY_BIN = BUILD / "lurus-gateway"
FAKE_BIN = BUILD / "lurus-fake-upstream"
NATS_BIN = Path(shutil.which("nats-server") or "/usr/sbin/nats-server")

CLIENT_KEY = "sk-lurus-client-team-a-7f3c"
KEY_ID = "team-a"
PROVIDER_KEYS = {
    "ALPHA_KEY": "sk-provider-alpha-SECRET",
    "BETA_KEY": "sk-provider-beta-SECRET",
    "GEM_KEY": "gem-provider-gem-SECRET",
    "RESP_KEY": "sk-provider-resp-SECRET",
}
NATS_USER = "lurus"
NATS_PASSWORD = "nats-pw-SECRET-41"

# Every gateway log file written in this session (for the key-leak test).
GATEWAY_LOGS: list[Path] = []


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_binary(path: Path) -> None:
    if not path.exists() or not os.access(path, os.X_OK):
        pytest.fail(
            f"binary missing: {path} — run: cd services && swift build",
            pytrace=False,
        )


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05, what: str = "condition"):
    """Polls `predicate` until it returns a truthy value; returns it, or fails after `timeout`."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - polling tolerates transient errors
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            pytest.fail(f"timed out after {timeout:.1f}s waiting for {what}{detail}", pytrace=False)
        time.sleep(interval)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Proc:
    """A child process with its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path, cwd: Path | None = None):
        self.name = name
        self.argv = argv
        self.env = env
        self.log = log
        self.cwd = cwd
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Proc":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.log, "ab")
        self.popen = subprocess.Popen(
            self.argv,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=handle,
            cwd=self.cwd,
            start_new_session=True,
        )
        handle.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            self.popen.send_signal(sig)

    def wait(self, timeout: float) -> int | None:
        if self.popen is None:
            return None
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 10) -> int | None:
        """SIGTERM, wait, then SIGKILL if it will not go."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            if self.wait(timeout) is None:
                self.popen.kill()
                self.popen.wait(5)
        return self.popen.returncode


# --------------------------------------------------------------------------- fake upstream


class FakeUpstream:
    def __init__(self, workdir: Path):
        require_binary(FAKE_BIN)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = Proc(
            "fake",
            [str(FAKE_BIN), "--host", "127.0.0.1", "--port", str(self.port)],
            dict(os.environ),
            workdir / "fake.log",
        ).start()
        self.http = httpx.Client(base_url=self.url, timeout=5)

        def ready():
            if not self.proc.alive():
                pytest.fail(f"lurus-fake-upstream exited early:\n{tail(self.proc.log)}", pytrace=False)
            return self.http.get("/_control/requests").status_code == 200

        wait_until(ready, 15, what="the fake upstream to answer")

    def base(self, provider: str, protocol: str) -> str:
        suffix = "/v1" if protocol in ("openai", "openai-responses") else ""
        return f"{self.url}/p/{provider}{suffix}"

    def script(self, provider: str, *steps: dict) -> None:
        r = self.http.post("/_control/script", json={"provider": provider, "steps": list(steps)})
        assert r.status_code in (200, 204), r.text

    def reset(self) -> None:
        r = self.http.post("/_control/reset")
        assert r.status_code in (200, 204), r.text

    def requests(self, provider: str | None = None) -> list[dict]:
        records = self.http.get("/_control/requests").json()
        return [r for r in records if provider is None or r["provider"] == provider]

    def pending(self) -> list[dict]:
        return [r for r in self.requests() if r["outcome"] == "pending"]

    def wait_idle(self, timeout: float) -> list[dict]:
        """Waits until no answer is still being written; returns those still pending at the deadline.

        A reset while an answer is in flight is safe (the fake drops the outcome of an answer from
        before the reset), but the answer would still reach the gateway during the next test.
        """
        deadline = time.monotonic() + timeout
        while True:
            pending = self.pending()
            if not pending or time.monotonic() >= deadline:
                return pending
            time.sleep(0.05)

    def billing(self, balances: dict[str, bool] | None = None, down: bool | None = None) -> None:
        body: dict[str, Any] = {}
        if balances is not None:
            body["balances"] = balances
        if down is not None:
            body["down"] = down
        r = self.http.post("/_control/billing", json=body)
        assert r.status_code in (200, 204), r.text

    def set_catalog(self, text: str) -> None:
        r = self.http.post("/_control/catalog", content=text.encode())
        assert r.status_code in (200, 204), r.text

    def close(self) -> None:
        self.http.close()
        self.proc.stop()


# --------------------------------------------------------------------------- NATS


class NatsServer:
    """nats-server with user/password and JetStream; restartable on the same port and store."""

    def __init__(self, workdir: Path, name: str = "nats"):
        require_binary(NATS_BIN)
        self.workdir = workdir
        self.port = free_port()
        self.store = workdir / f"{name}-store"
        self.conf = workdir / f"{name}.conf"
        self.conf.write_text(
            f"listen: 127.0.0.1:{self.port}\n"
            f"authorization {{ user: {NATS_USER}, password: {NATS_PASSWORD} }}\n"
            f'jetstream {{ store_dir: "{self.store}" }}\n'
        )
        self.log = workdir / f"{name}.log"
        self.proc: Proc | None = None
        self.url = f"nats://{NATS_USER}:{NATS_PASSWORD}@127.0.0.1:{self.port}"

    def start(self) -> "NatsServer":
        self.proc = Proc("nats", [str(NATS_BIN), "-c", str(self.conf)], dict(os.environ), self.log).start()

        def ready():
            if not self.proc.alive():
                pytest.fail(f"nats-server exited early:\n{tail(self.log)}", pytrace=False)
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True

        wait_until(ready, 10, what="nats-server to listen")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None


@dataclass
class StreamMsg:
    stream: str
    seq: int
    subject: str
    headers: dict
    data: dict


class JetStreamReader:
    """Reads JetStream streams with nats-py (sync wrappers; one short connection per call)."""

    def __init__(self, url: str):
        self.url = url

    def _run(self, coro_factory):
        async def main():
            import nats

            nc = await nats.connect(
                servers=[self.url], connect_timeout=2, allow_reconnect=False, max_reconnect_attempts=0
            )
            try:
                return await coro_factory(nc.jetstream())
            finally:
                await nc.close()

        return asyncio.run(main())

    def stream_info(self, stream: str):
        return self._run(lambda js: js.stream_info(stream))

    def last_seq(self, stream: str) -> int:
        return self.stream_info(stream).state.last_seq

    def messages(self, stream: str, subject: str | None = None, since: int = 0) -> list[StreamMsg]:
        """Messages of `stream` with sequence > `since` (optionally only `subject`), in order."""

        async def read(js):
            from nats.js.errors import NotFoundError

            info = await js.stream_info(stream)
            out: list[StreamMsg] = []
            first = max(since + 1, info.state.first_seq)
            for seq in range(first, info.state.last_seq + 1):
                try:
                    m = await js.get_msg(stream, seq)
                except NotFoundError:
                    continue
                if subject is not None and m.subject != subject:
                    continue
                out.append(StreamMsg(stream, m.seq, m.subject, dict(m.headers or {}), json.loads(m.data)))
            return out

        return self._run(read)

    def wait_records(
        self, stream: str, subject: str, request_ids: Iterable[str], timeout: float = 5, since: int = 0
    ) -> dict[str, list[StreamMsg]]:
        """Waits until every request id has at least one message on `subject`; returns id → messages."""
        wanted = set(request_ids)

        def found():
            by_id: dict[str, list[StreamMsg]] = {}
            for m in self.messages(stream, subject, since):
                if m.data.get("request_id") in wanted:
                    by_id.setdefault(m.data["request_id"], []).append(m)
            return by_id if set(by_id) == wanted else None

        return wait_until(found, timeout, interval=0.1, what=f"usage records {sorted(wanted)} on {subject}")

    def wait_record(self, request_id: str, subject: str = "llm.usage", stream: str = "LLM_EVENTS", timeout: float = 5) -> StreamMsg:
        msgs = self.wait_records(stream, subject, [request_id], timeout)[request_id]
        assert len(msgs) == 1, f"{len(msgs)} messages for {request_id} on {subject}"
        return msgs[0]


# --------------------------------------------------------------------------- gateway


def write_keys(path: Path) -> Path:
    digest = hashlib.sha256(CLIENT_KEY.encode()).hexdigest()
    path.write_text(json.dumps({"keys": [{"id": KEY_ID, "sha256": digest}]}))
    return path


def standard_catalog(fake: FakeUpstream) -> dict:
    return {
        "providers": [
            {
                "name": "alpha",
                "protocol": "openai",
                "base_url": fake.base("alpha", "openai"),
                "api_key_env": "ALPHA_KEY",
                "priority": 10,
                "models": [{"name": "gpt-test", "aliases": ["gt"], "price": {"input": 1, "output": 2}}],
            },
            {
                "name": "beta",
                "protocol": "anthropic",
                "base_url": fake.base("beta", "anthropic"),
                "api_key_env": "BETA_KEY",
                "priority": 5,
                "models": [{"name": "claude-test"}, {"name": "gpt-test"}],
            },
            {
                "name": "gem",
                "protocol": "gemini",
                "base_url": fake.base("gem", "gemini"),
                "api_key_env": "GEM_KEY",
                "models": [{"name": "gemini-test"}],
            },
            {
                "name": "resp",
                "protocol": "openai-responses",
                "base_url": fake.base("resp", "openai-responses"),
                "api_key_env": "RESP_KEY",
                "models": [{"name": "codex-test"}],
            },
        ]
    }


class Gateway:
    def __init__(self, workdir: Path, env: dict[str, str], name: str):
        require_binary(GATEWAY_BIN)
        self.workdir = workdir
        self.env = env
        self.name = name
        self.port = int(env.get("HTTP_PORT", "0")) if env.get("HTTP_PORT", "").isdigit() else None
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.stderr.log"
        GATEWAY_LOGS.append(self.log)
        self.proc = Proc(name, [str(GATEWAY_BIN)], env, self.log, cwd=workdir)
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def start(self, wait: bool = True) -> "Gateway":
        self.proc.start()
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 15) -> None:
        def ready():
            if not self.proc.alive():
                pytest.fail(
                    f"gateway {self.name} exited with {self.proc.popen.returncode}:\n{tail(self.log)}",
                    pytrace=False,
                )
            return self.http.get("/health", timeout=1).status_code == 200

        wait_until(ready, timeout, what=f"gateway {self.name} /health")

    def stop(self, timeout: float = 10) -> int | None:
        self.http.close()
        return self.proc.stop(timeout)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def metrics(self) -> str:
        r = self.http.get("/metrics")
        assert r.status_code == 200, r.text
        return r.text

    def metric(self, name: str, **labels: str) -> float:
        return metric_value(self.metrics(), name, **labels)

    def headers(self, extra: dict | None = None) -> dict:
        h = {"authorization": f"Bearer {CLIENT_KEY}"}
        h.update(extra or {})
        return h


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text: str) -> list[tuple[str, dict, float]]:
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            continue
        labels = dict(_LABEL.findall(m.group(3) or ""))
        samples.append((m.group(1), labels, float(m.group(4))))
    return samples


def metric_value(text: str, name: str, **labels: str) -> float:
    """Sum of the samples named `name` whose labels include `labels` (0 when none)."""
    total = 0.0
    for sample_name, sample_labels, value in parse_metrics(text):
        if sample_name == name and all(sample_labels.get(k) == v for k, v in labels.items()):
            total += value
    return total


@dataclass
class GatewayFactory:
    fake: FakeUpstream
    nats: NatsServer
    workdir: Path
    keys_file: Path
    catalog_file: Path
    started: list[Gateway] = field(default_factory=list)
    counter: int = 0

    def env(self, **overrides: str | None) -> dict[str, str]:
        """The standard gateway environment; an override of None removes that variable."""
        self.counter += 1
        port = free_port()
        spool = self.workdir / f"spool-{self.counter}"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(port),
            "KEYS_FILE": str(self.keys_file),
            "CATALOG_FILE": str(self.catalog_file),
            "BILLING_SERVICE_URL": f"{self.fake.url}/_billing",
            "BILLING_SKIP_CHECK": "false",
            "NATS_URL": self.nats.url,
            "SPOOL_DIRECTORY": str(spool),
            "UPSTREAM_IDLE_TIMEOUT_SECONDS": "10",
            "COOLDOWN_SECONDS": "10",
            "SHUTDOWN_DRAIN_SECONDS": "10",
            "LOG_LEVEL": "debug",
            **PROVIDER_KEYS,
        }
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def make(self, name: str | None = None, start: bool = True, **overrides: str | None) -> Gateway:
        env = self.env(**overrides)
        gateway = Gateway(self.workdir, env, name or f"gateway-{self.counter}")
        self.started.append(gateway)
        if start:
            gateway.start()
        return gateway

    def run_to_exit(self, timeout: float = 15, **overrides: str | None) -> tuple[int | None, str]:
        """Runs a gateway expected to refuse its configuration; returns (exit code, stderr+stdout)."""
        env = self.env(**overrides)
        self.counter += 1
        log = self.workdir / f"refused-{self.counter}.stderr.log"
        GATEWAY_LOGS.append(log)
        try:
            done = subprocess.run(
                [str(GATEWAY_BIN)], env=env, cwd=self.workdir, capture_output=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as expired:
            out = (expired.stderr or b"").decode(errors="replace")
            log.write_text(out)
            return None, out
        out = done.stderr.decode(errors="replace")
        log.write_text(out + done.stdout.decode(errors="replace"))
        return done.returncode, out


# --------------------------------------------------------------------------- ordering


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "run_last: run after every other test (e.g. to search all gateway logs of the session)"
    )


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("lurus-sdk")


@pytest.fixture(scope="session")
def binaries() -> None:
    for path in (GATEWAY_BIN, FAKE_BIN, NATS_BIN):
        require_binary(path)


@pytest.fixture(scope="session")
def fake(binaries, workdir) -> FakeUpstream:
    upstream = FakeUpstream(workdir)
    yield upstream
    upstream.close()


@pytest.fixture(scope="session")
def nats_server(binaries, workdir) -> NatsServer:
    server = NatsServer(workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def jetstream(nats_server) -> JetStreamReader:
    return JetStreamReader(nats_server.url)


@pytest.fixture(scope="session")
def session_factory(fake, nats_server, workdir) -> GatewayFactory:
    catalog_file = workdir / "catalog.json"
    catalog_file.write_text(json.dumps(standard_catalog(fake)))
    factory = GatewayFactory(fake, nats_server, workdir, write_keys(workdir / "keys.json"), catalog_file)
    yield factory
    for gateway in factory.started:
        gateway.stop()


@pytest.fixture(scope="session")
def gateway(session_factory) -> Gateway:
    """The shared gateway: standard catalog, fake billing (allowed), 1 s cooldown."""
    return session_factory.make("shared-gateway", COOLDOWN_SECONDS="1")


@pytest.fixture
def make_gateway(session_factory):
    """Starts dedicated gateways (stopped when the test ends): make_gateway(ENV_VAR="value", ...)."""
    mine: list[Gateway] = []

    def make(name: str | None = None, start: bool = True, **overrides: str | None) -> Gateway:
        gateway = session_factory.make(name, start=start, **overrides)
        mine.append(gateway)
        return gateway

    yield make
    for gateway in mine:
        gateway.stop()


@pytest.fixture(autouse=True)
def reset_fake(request):
    """Resets the fake upstream's scripts, request log, billing and catalog before each test, and
    after it waits for the fake's answers still in flight to end (see FakeUpstream.wait_idle)."""
    uses_fake = any(name in request.fixturenames for name in ("fake", "gateway", "make_gateway"))
    upstream = request.getfixturevalue("fake") if uses_fake else None
    if upstream is not None:
        if not upstream.proc.alive():
            pytest.fail(f"the fake upstream has died:\n{tail(upstream.proc.log, 12)}", pytrace=False)
        upstream.reset()
    yield
    if upstream is not None and upstream.proc.alive():
        pending = upstream.wait_idle(8)
        assert not pending, f"fake answers still in flight 8 s after the test: {pending}"


# --------------------------------------------------------------------------- SDK clients


def openai_client(gateway: Gateway, timeout: float = 15):
    import openai

    return openai.OpenAI(api_key=CLIENT_KEY, base_url=f"{gateway.url}/v1", max_retries=0, timeout=timeout)


def anthropic_client(gateway: Gateway, timeout: float = 15):
    import anthropic

    return anthropic.Anthropic(api_key=CLIENT_KEY, base_url=gateway.url, max_retries=0, timeout=timeout)


def genai_client(gateway: Gateway, timeout_ms: int = 15000):
    """A google-genai client for the gateway. Keep a reference while using it: the SDK closes its
    HTTP client when the Client object is collected. The gateway serves Gemini's /v1beta paths;
    google-genai 3.x defaults to /v1, hence api_version."""
    from google import genai

    return genai.Client(
        api_key=CLIENT_KEY,
        http_options={"base_url": gateway.url, "api_version": "v1beta", "timeout": timeout_ms},
    )


USER_MESSAGES = [{"role": "user", "content": "Say hello."}]


def body_of(record: dict) -> dict:
    return json.loads(record["body"])


class PostgresServer:
    """A throwaway PostgreSQL cluster (initdb) on a free port; as root it runs as the postgres user."""

    def __init__(self, workdir: Path):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        if not versions:
            pytest.fail("PostgreSQL's server is missing: run scripts/setup (apt-get install postgresql-15)", pytrace=False)
        self.bin = Path(versions[-1])
        # Outside pytest's own folders, which are private to root: the postgres user must reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="lurus-sdk-pg-"))
        self.dir.chmod(0o755)
        self.data = self.dir / "data"
        self.port = free_port()
        self.password = uuid.uuid4().hex
        self.root = os.geteuid() == 0
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password)
        if self.root:
            shutil.chown(self.dir, "postgres")
            shutil.chown(pwfile, "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "lurus", "--pwfile", str(pwfile), "--auth", "scram-sha-256", "--no-sync")
        pwfile.unlink()
        self.log = self.dir / "postgres.log"
        argv = self.argv("postgres", "-D", str(self.data), "-p", str(self.port), "-k", str(self.dir),
                         "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200")
        self.proc = Proc("postgres", argv, self.env(), self.log).start()
        wait_until(lambda: self.ready(), 20, what="postgres to accept sessions")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "lurus", "lurus")

    def argv(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bin / tool), *args]
        return ["runuser", "-u", "postgres", "--", *command] if self.root else command

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["PGPASSWORD"] = self.password
        return env

    def run(self, tool: str, *args: str) -> str:
        done = subprocess.run(self.argv(tool, *args), env=self.env(), capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            pytest.fail(f"{tool} failed: {done.stdout}{done.stderr}", pytrace=False)
        return done.stdout

    def ready(self) -> bool:
        if not self.proc.alive():
            pytest.fail(f"postgres exited:\n{tail(self.log)}", pytrace=False)
        return subprocess.run(self.argv("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"), env=self.env()).returncode == 0

    def sql(self, query: str) -> str:
        return self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "lurus", "-d", "lurus", "-XAtq", "-c", query).strip()

    def stop(self) -> None:
        self.proc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres(workdir):
    server = PostgresServer(workdir)
    yield server
    server.stop()


class ClickHouseServer:
    """A throwaway ClickHouse server (Debian's clickhouse-server, 18.16) on free loopback ports, with the
    database lurus_logs and the user lurus (a random password, that database only) as `up` makes them."""

    def __init__(self, workdir: Path, name: str = "clickhouse"):
        binary = shutil.which("clickhouse-server") or "/usr/bin/clickhouse-server"
        if not os.access(binary, os.X_OK):
            pytest.fail("clickhouse-server is missing: run scripts/setup (apt-get install clickhouse-server)",
                        pytrace=False)
        self.dir = workdir / f"{name}-{uuid.uuid4().hex[:6]}"
        self.dir.mkdir()
        self.http_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.password = uuid.uuid4().hex
        d = self.dir
        (d / "config.xml").write_text(f"""<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/error.log</errorlog></logger>
  <http_port>{self.http_port}</http_port><tcp_port>{free_port()}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{d}/data/</path><tmp_path>{d}/tmp/</tmp_path><user_files_path>{d}/user_files/</user_files_path>
  <format_schema_path>{d}/format_schemas/</format_schema_path><users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>53687091</mark_cache_size><uncompressed_cache_size>53687091</uncompressed_cache_size>
  <timezone>UTC</timezone>
</yandex>
""")
        (d / "users.xml").write_text(f"""<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <lurus><password>{self.password}</password><networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile><quota>default</quota>
      <allow_databases><database>lurus_logs</database></allow_databases></lurus>
  </users>
  <quotas><default></default></quotas>
</yandex>
""")
        self.password_file = d / "lurus.password"
        self.password_file.write_text(self.password)
        self.password_file.chmod(0o600)
        self.proc = Proc("clickhouse", [binary, f"--config-file={d / 'config.xml'}"], dict(os.environ),
                         d / "stdout.log", cwd=d).start()

        def ready():
            if not self.proc.alive():
                pytest.fail(f"clickhouse-server exited:\n{tail(d / 'error.log')}", pytrace=False)
            return httpx.post(self.url, content=b"SELECT 1", timeout=2).text.strip() == "1"

        wait_until(ready, 30, what="clickhouse-server to answer")
        self.query("CREATE DATABASE IF NOT EXISTS lurus_logs")

    def query(self, sql: str) -> str:
        """`sql` as the default user (the test's own view); ClickHouse's message on an error."""
        answer = httpx.post(self.url, content=sql.encode(), timeout=30)
        if answer.status_code != 200:
            raise AssertionError(f"ClickHouse refused {sql[:200]}: {answer.text}")
        return answer.text

    def stop(self) -> None:
        self.proc.stop()


def service_env(port: int, postgres: PostgresServer, database: str, workdir: Path, admin_token: str,
                gateway_token: str, **extra: str) -> dict[str, str]:
    """The environment of a service on PostgreSQL (billing, provider): its port, the database with the
    password in a 0600 file, the admin token's and the gateway's service token's SHA-256."""
    secret = workdir / f"{database}-pg-{uuid.uuid4().hex[:6]}"
    secret.write_text(postgres.password)
    secret.chmod(0o600)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(port), "LOG_LEVEL": "info",
        "POSTGRES_PORT": str(postgres.port), "POSTGRES_USER": "lurus", "POSTGRES_DATABASE": database,
        "POSTGRES_PASSWORD_FILE": str(secret),
        "ADMIN_TOKEN_SHA256": hashlib.sha256(admin_token.encode()).hexdigest(),
        "GATEWAY_TOKEN_SHA256": hashlib.sha256(gateway_token.encode()).hexdigest(),
        **extra,
    }
