"""Tracing: spans over OTLP/HTTP to a collector, W3C trace context passed on to the provider.

Jaeger cannot run on this machine kind, so the collector here is a plain HTTP listener that keeps
what the gateway POSTs to /v1/traces (OTLP protobuf); the checks look for the trace id's raw bytes.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import free_port, wait_until


class Collector:
    def __init__(self) -> None:
        self.bodies: list[tuple[str, str, bytes]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("content-length") or 0)
                collector.bodies.append((self.path, self.headers.get("content-type", ""), self.rfile.read(length)))
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_spans_reach_the_collector_and_the_trace_continues_upstream(make_gateway, fake):
    collector = Collector()
    try:
        gateway = make_gateway(
            TRACING_ENABLED="true", TRACING_ENDPOINT=f"http://127.0.0.1:{collector.port}", BILLING_SKIP_CHECK="true"
        )
        trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
        response = gateway.http.post(
            "/v1/chat/completions",
            headers=gateway.headers({"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"}),
            json={"model": "gpt-test", "messages": [{"role": "user", "content": "hi"}]},
        )
        assert response.status_code == 200, response.text

        # The provider got the caller's trace, with the gateway's own span as parent, once.
        upstream = fake.requests("alpha")[-1]
        traceparent = upstream["headers"].get("traceparent", "")
        assert "," not in traceparent, f"traceparent sent more than once: {traceparent}"
        assert traceparent.startswith(f"00-{trace_id}-"), upstream["headers"]
        assert traceparent.split("-")[2] != "00f067aa0ba902b7"

        # The spans were exported over OTLP/HTTP, carrying that trace id.
        wait_until(
            lambda: any(bytes.fromhex(trace_id) in body for _, _, body in collector.bodies),
            timeout=10,
            what="an OTLP export with the trace id",
        )
        path, content_type, _ = collector.bodies[0]
        assert path == "/v1/traces"
        assert content_type == "application/x-protobuf"
    finally:
        collector.close()


def test_tracing_without_an_endpoint_stops_the_start(session_factory):
    status, output = session_factory.run_to_exit(TRACING_ENABLED="true", TRACING_ENDPOINT=None)
    assert status == 1
    assert "TRACING_ENDPOINT is not set" in output
