import Foundation
import LurusRemote

/// K3s and the bundled services: the API server ready and every node Ready (on the K3s server); each
/// service's `/health` where it runs under systemd, or its deployment's ready replicas under K3s.
enum ClusterChecks {
    static let kubectl = "k3s kubectl --request-timeout=4s"

    static func k3s(seconds: Double) -> [HealthCheck] {
        let fix = "systemctl status k3s; journalctl -u k3s -n 50"
        return [
            Self.k3sCertificate,
            HealthCheck("k3s", script: "\(Self.kubectl) get --raw=/readyz") { answer, context in
                if let unanswered = Finding.unanswered(answer, context, what: "K3s /readyz", fix: fix) {
                    return unanswered
                }
                return answer.status == 0 && answer.lines.first == "ok"
                    ? Finding(.ok, "the API server is ready")
                    : Finding(.critical, "/readyz: \(answer.output.prefix(160))", fix: fix)
            },
            HealthCheck("k3s.nodes", script: "\(Self.kubectl) get nodes --no-headers") { answer, context in
                if let unanswered = Finding.unanswered(answer, context, what: "kubectl get nodes", fix: fix) {
                    return unanswered
                }
                guard answer.status == 0 else {
                    return Finding(.critical, "kubectl: \(answer.output.prefix(160))", fix: fix)
                }
                let rows = answer.lines.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
                let notReady = rows.filter { $0.count > 1 && $0[1] != "Ready" }.map { String($0[0]) }
                return notReady.isEmpty
                    ? Finding(.ok, "\(rows.count) nodes Ready", measure: .init("nodes_ready", Double(rows.count)))
                    : Finding(
                        .critical,
                        "not Ready: \(notReady.joined(separator: ", "))",
                        measure: .init(
                            "nodes_ready",
                            Double(rows.count - notReady.count),
                            minimum: 0,
                            maximum: Double(rows.count)
                        ),
                        fix: "on that node: systemctl status k3s-agent; doc/operations.md (a node is down)"
                    )
            },
        ]
    }

    /// The K3s API server's serving certificate: under 30 days left warns, under 7 is critical. K3s
    /// renews its certificates at start once they are within 90 days of expiry, so a server that has not
    /// restarted in months gets here.
    static let certificate = "/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt"

    static let k3sCertificate = HealthCheck(
        "k3s.certificate",
        script: "date -d \"$(openssl x509 -enddate -noout -in \(Self.certificate) | cut -d= -f2)\" +%s"
    ) { answer, context in
        let fix = "systemctl restart k3s on the server: K3s renews certificates that expire within 90 days"
        if let unanswered = Finding.unanswered(answer, context, what: "openssl", fix: fix) { return unanswered }
        guard answer.status == 0, let end = answer.lines.first.flatMap({ Double($0) }) else {
            return Finding(.unknown, "cannot read \(Self.certificate): \(answer.output.prefix(120))", fix: fix)
        }
        let days = (end - context.localTime) / 86_400
        return Finding(
            Thresholds.below(days, warning: 30, critical: 7),
            "the API server's certificate expires in \(Int(days.rounded(.down))) days",
            measure: .init("certificate_days", days.rounded(.down), warning: 30, critical: 7),
            fix: fix
        )
    }

    /// A service under systemd: its `/health` on the mesh address (the local proxy, which sends to the
    /// slot that serves), naming the failing checks it reports.
    static func systemdService(_ name: String, service: String, port: Int, seconds: Double) -> HealthCheck {
        HTTPChecks.endpoint(
            "service.\(name)",
            what: service,
            port: port,
            path: "/health",
            seconds: seconds,
            fix: "journalctl -u 'lurus-\(name)@*' -n 50; lurusctl releases; lurusctl rollback if a release broke it"
        ) { code, body in
            guard let object = HTTPChecks.object(body) else { return nil }
            let checks = object["checks"] as? [String: [String: Any]] ?? [:]
            let failing = checks.filter { ($0.value["ok"] as? Bool) == false }.sorted { $0.key < $1.key }
            if code == 200, failing.isEmpty { return Finding(.ok, "\(service) healthy") }
            let named = failing.map { "\($0.key): \($0.value["detail"] as? String ?? "failing")" }
            return Finding(
                .critical,
                "\(service) unhealthy (\(code)): \(named.isEmpty ? String(body.prefix(120)) : named.joined(separator: "; "))",
                fix: "journalctl -u 'lurus-\(name)@*' -n 50"
            )
        }
    }

    /// The variable holding the path of the canary's header file (`authorization: Bearer KEY`).
    public static let canaryHeaders = "LURUS_CANARY_HEADERS"

    /// One real request through the gateway on this node to the providers: a chat completion of `model`
    /// asking for one token, with the key from `health.canary_key` (its header in a 0600 file, never in an
    /// argument). OK when answered 200 with a choice.
    static func canary(model: String, port: Int, seconds: Double) -> HealthCheck {
        let body = #"{"model":"\#(model)","messages":[{"role":"user","content":"ping"}],"max_tokens":1}"#
        return HealthCheck(
            "canary",
            script: "curl -sS --max-time \(seconds) -H @\"$\(Self.canaryHeaders)\" -H 'content-type: application/json' "
                + "--data-binary \(Shell.quote(body)) -w '\\n%{http_code} %{time_total}' "
                + "\"http://${MESH_URL_HOST}:\(port)/v1/chat/completions\""
        ) { answer, context in
            let fix = "the gateway's check and journal say why; the providers' own status pages, if it is theirs"
            if let unanswered = Finding.unanswered(answer, context, what: "the canary", fix: fix) { return unanswered }
            let last = answer.lines.last?.split(separator: " ") ?? []
            guard answer.status == 0, last.count == 2, let code = Int(last[0]), let time = Double(last[1]) else {
                return Finding(.critical, "the canary got no answer: \(answer.lines.last ?? "")", fix: fix)
            }
            let body = answer.output.split(separator: "\n").dropLast().joined(separator: "\n")
            let choices = (HTTPChecks.object(body)?["choices"] as? [Any])?.count ?? 0
            let milliseconds = (time * 1000).rounded()
            guard code == 200, choices > 0 else {
                return Finding(
                    .critical,
                    "the canary for \(model) was answered \(code): \(body.prefix(160))",
                    measure: .init("canary_time", milliseconds, unit: "ms", minimum: 0),
                    fix: code == 401 || code == 402 ? "check health.canary_key: its key, its balance" : fix
                )
            }
            return Finding(
                .ok,
                "\(model) answered in \(Int(milliseconds)) ms",
                measure: .init("canary_time", milliseconds, unit: "ms", minimum: 0)
            )
        }
    }

    /// A service under K3s, read on the K3s server: its deployment's ready replicas against the wanted.
    static func k3sService(_ name: String, namespace: String) -> HealthCheck {
        HealthCheck(
            "service.\(name)",
            script: "\(Self.kubectl) -n \(namespace) get deployment \(name) "
                + "-o jsonpath='{.spec.replicas} {.status.readyReplicas}'"
        ) { answer, context in
            let fix = "kubectl -n \(namespace) describe deployment \(name); lurusctl rollback if a release broke it"
            if let unanswered = Finding.unanswered(answer, context, what: "kubectl", fix: fix) { return unanswered }
            let fields = answer.lines.first?.split(separator: " ").map { Int($0) ?? 0 } ?? []
            guard answer.status == 0, let wanted = fields.first else {
                return Finding(.critical, "kubectl: \(answer.output.prefix(160))", fix: "lurusctl deploy")
            }
            let ready = fields.count > 1 ? fields[1] : 0
            let status: HealthStatus = ready == 0 ? .critical : ready < wanted ? .warning : .ok
            return Finding(
                status,
                "\(ready) of \(wanted) replicas ready",
                measure: .init("replicas_ready", Double(ready), minimum: 0, maximum: Double(wanted)),
                fix: fix
            )
        }
    }
}
