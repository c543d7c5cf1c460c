"""Tracing: every service's spans over OTLP/HTTP to a collector, W3C trace context passed on to the provider.

Jaeger cannot run on this machine kind, so the collector here is an OTLP/HTTP receiver the test runs: it
takes what the services POST to /v1/traces, decodes each `ExportTraceServiceRequest` with OpenTelemetry's
own protobuf messages (opentelemetry-proto) and answers with an `ExportTraceServiceResponse`, as Jaeger's
OTLP receiver does. The checks read the decoded spans: the service's name, each span's kind and parent,
and that no key or token is in any attribute (or anywhere in what was exported).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (ExportTraceServiceRequest,
                                                                       ExportTraceServiceResponse)
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from conftest import CLIENT_KEY, PROVIDER_KEYS, ClickHouseServer, NatsServer, free_port, wait_until
from test_billing_service import ADMIN_TOKEN as BILLING_ADMIN_TOKEN
from test_billing_service import GATEWAY_TOKEN as BILLING_GATEWAY_TOKEN
from test_billing_service import Billing
from test_log_service import ADMIN_TOKEN as LOGS_ADMIN_TOKEN
from test_log_service import LogService
from test_provider_service import ADMIN_TOKEN as PROVIDER_ADMIN_TOKEN
from test_provider_service import GATEWAY_TOKEN as PROVIDER_GATEWAY_TOKEN
from test_provider_service import ProviderService

SERVER = Span.SpanKind.SPAN_KIND_SERVER
CLIENT = Span.SpanKind.SPAN_KIND_CLIENT


@dataclass
class Exported:
    service: str
    span: Span

    def attributes(self) -> dict[str, str]:
        return {kv.key: str(getattr(kv.value, kv.value.WhichOneof("value") or "string_value"))
                for kv in self.span.attributes}


class Collector:
    """An OTLP/HTTP traces receiver on 127.0.0.1."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.content_types: list[str] = []
        self.spans: list[Exported] = []
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if self.path != "/v1/traces":
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                with collector.lock:
                    collector.bodies.append(body)
                    collector.content_types.append(self.headers.get("content-type", ""))
                    for resource_spans in request.resource_spans:
                        names = [kv.value.string_value for kv in resource_spans.resource.attributes
                                 if kv.key == "service.name"]
                        for scope_spans in resource_spans.scope_spans:
                            for span in scope_spans.spans:
                                collector.spans.append(Exported(names[0] if names else "", span))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def of_trace(self, trace_id: str) -> list[Exported]:
        with self.lock:
            return [e for e in self.spans if e.span.trace_id == bytes.fromhex(trace_id)]

    def wait_for(self, trace_id: str, what: str, predicate) -> list[Exported]:
        wait_until(lambda: predicate(self.of_trace(trace_id)), timeout=15, what=what)
        return self.of_trace(trace_id)

    def assert_holds_none_of(self, secrets: list[str]) -> None:
        """No secret in any attribute of any span, nor anywhere in the exported bytes."""
        with self.lock:
            for exported in self.spans:
                for key, value in exported.attributes().items():
                    for secret in secrets:
                        assert secret not in value, f"{exported.service} span {exported.span.name}: {key} holds a secret"
            for body in self.bodies:
                for secret in secrets:
                    assert secret.encode() not in body, "a secret was exported"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector():
    receiver = Collector()
    yield receiver
    receiver.close()


def new_trace() -> tuple[str, str]:
    """A caller's trace id and span id."""
    return uuid.uuid4().hex, uuid.uuid4().hex[:16]


def traceparent(trace_id: str, span_id: str) -> str:
    return f"00-{trace_id}-{span_id}-01"


def test_the_gateways_request_span_holds_the_provider_call_whose_context_the_provider_received(
        make_gateway, fake, collector):
    gateway = make_gateway(TRACING_ENABLED="true", TRACING_ENDPOINT=collector.url, BILLING_SKIP_CHECK="true")
    trace_id, caller = new_trace()
    response = gateway.http.post(
        "/v1/chat/completions",
        headers=gateway.headers({"traceparent": traceparent(trace_id, caller)}),
        json={"model": "gpt-test", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 200, response.text

    spans = collector.wait_for(trace_id, "the gateway's server and client spans",
                               lambda s: {SERVER, CLIENT} <= {e.span.kind for e in s})
    assert {e.service for e in spans} == {"lurus-gateway"}
    [server] = [e.span for e in spans if e.span.kind == SERVER]
    [client] = [e.span for e in spans if e.span.kind == CLIENT]
    # The request's span continues the caller's trace; the provider call is a client span under it.
    assert server.parent_span_id == bytes.fromhex(caller)
    assert client.parent_span_id == server.span_id
    assert client.start_time_unix_nano >= server.start_time_unix_nano
    assert client.end_time_unix_nano <= server.end_time_unix_nano
    client_attributes = Exported("lurus-gateway", client).attributes()
    assert client_attributes["lurus.provider"] == "alpha"
    assert client_attributes["http.request.method"] == "POST"

    # The provider received that client span's context, once.
    upstream = fake.requests("alpha")[-1]
    received = upstream["headers"].get("traceparent", "")
    assert "," not in received, f"traceparent sent more than once: {received}"
    assert received.split("-")[1:3] == [trace_id, client.span_id.hex()], (received, client.span_id.hex())

    assert collector.content_types and set(collector.content_types) == {"application/x-protobuf"}
    collector.assert_holds_none_of([CLIENT_KEY, *PROVIDER_KEYS.values()])


def test_a_key_sent_in_the_query_is_not_in_the_request_span(make_gateway, collector):
    gateway = make_gateway(TRACING_ENABLED="true", TRACING_ENDPOINT=collector.url, BILLING_SKIP_CHECK="true")
    trace_id, caller = new_trace()
    response = httpx.post(
        f"{gateway.url}/v1beta/models/gemini-test:generateContent?key={CLIENT_KEY}",
        headers={"traceparent": traceparent(trace_id, caller)},
        json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    spans = collector.wait_for(trace_id, "the gateway's server span", lambda s: any(e.span.kind == SERVER for e in s))
    [server] = [e for e in spans if e.span.kind == SERVER]
    assert server.attributes().get("url.query") == "key=REDACTED"
    collector.assert_holds_none_of([CLIENT_KEY, PROVIDER_KEYS["GEM_KEY"]])


def assert_served_in_the_callers_trace(collector: Collector, service: str, trace_id: str, caller: str,
                                       secrets: list[str]) -> None:
    spans = collector.wait_for(trace_id, f"{service}'s server span",
                               lambda s: any(e.span.kind == SERVER for e in s))
    [server] = [e for e in spans if e.span.kind == SERVER]
    assert server.service == service
    assert server.span.parent_span_id == bytes.fromhex(caller)
    assert server.attributes().get("http.response.status_code") in {"200", "201"}, server.attributes()
    collector.assert_holds_none_of(secrets)


def test_the_provider_service_traces_its_requests(workdir, postgres, collector):
    provider = ProviderService(workdir, postgres, TRACING_ENABLED="true", TRACING_ENDPOINT=collector.url)
    try:
        trace_id, caller = new_trace()
        answer = provider.http.get("/api/v1/providers", headers={"traceparent": traceparent(trace_id, caller)})
        assert answer.status_code == 200, answer.text
        assert_served_in_the_callers_trace(collector, "lurus-provider", trace_id, caller,
                                           [PROVIDER_ADMIN_TOKEN, PROVIDER_GATEWAY_TOKEN])
    finally:
        provider.stop()


def test_the_billing_service_traces_its_requests(workdir, postgres, nats_server, collector):
    billing = Billing(workdir, postgres, nats_server.url, TRACING_ENABLED="true", TRACING_ENDPOINT=collector.url)
    try:
        trace_id, caller = new_trace()
        answer = billing.http.post("/api/v1/users", json={"name": "traced"},
                                   headers={"traceparent": traceparent(trace_id, caller)})
        assert answer.status_code == 201, answer.text
        key = billing.http.post(f"/api/v1/users/{answer.json()['id']}/keys", json={"name": "traced"})
        assert key.status_code == 201, key.text
        assert_served_in_the_callers_trace(collector, "lurus-billing", trace_id, caller,
                                           [BILLING_ADMIN_TOKEN, BILLING_GATEWAY_TOKEN, key.json()["key"]])
    finally:
        billing.stop()


def test_the_log_service_traces_its_requests(workdir, collector):
    nats = NatsServer(workdir, name="nats-traced-logs").start()
    clickhouse = ClickHouseServer(workdir, name="clickhouse-traced")
    logs = None
    try:
        logs = LogService(workdir, clickhouse, nats, TRACING_ENABLED="true", TRACING_ENDPOINT=collector.url)
        trace_id, caller = new_trace()
        answer = logs.http.get("/api/v1/logs", headers={"traceparent": traceparent(trace_id, caller)})
        assert answer.status_code == 200, answer.text
        assert_served_in_the_callers_trace(collector, "lurus-logs", trace_id, caller,
                                           [LOGS_ADMIN_TOKEN, clickhouse.password_file.read_text().strip()])
    finally:
        if logs:
            logs.stop()
        clickhouse.stop()
        nats.stop()


def test_tracing_without_an_endpoint_stops_the_start(session_factory):
    status, output = session_factory.run_to_exit(TRACING_ENABLED="true", TRACING_ENDPOINT=None)
    assert status == 1
    assert "TRACING_ENDPOINT is not set" in output
