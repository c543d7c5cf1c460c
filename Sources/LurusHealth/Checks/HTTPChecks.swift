import Foundation

/// Checks that ask an HTTP endpoint on the node's mesh address: the answer is the body, then the status
/// code on a line of its own.
enum HTTPChecks {
    /// `curl` of `http://$MESH:PORT/PATH`, giving up after `seconds`; without `body`, the answer's body is
    /// dropped on the node (a node exporter's is hundreds of kilobytes).
    static func script(port: Int, path: String, seconds: Double, body: Bool = true) -> String {
        "curl -sS --max-time \(seconds)\(body ? "" : " -o /dev/null") -w '\\n%{http_code}' "
            + "\"http://${MESH_URL_HOST}:\(port)\(path)\""
    }

    /// The status code and body of an answer; nil when curl got no HTTP answer (refused, reset).
    static func response(_ answer: ProbeAnswer) -> (code: Int, body: String)? {
        guard answer.status == 0, let last = answer.lines.last, let code = Int(last) else { return nil }
        let body = answer.output.hasSuffix("\n\(last)") ? String(answer.output.dropLast(last.count + 1)) : ""
        return (code, body.hasSuffix("\n") ? String(body.dropLast()) : body)
    }

    /// A check whose endpoint answers 200 when all is well.
    static func endpoint(
        _ name: String,
        what: String,
        port: Int,
        path: String,
        seconds: Double,
        fix: String,
        body: Bool = true,
        read: @escaping @Sendable (Int, String) -> Finding? = { _, _ in nil }
    ) -> HealthCheck {
        HealthCheck(name, script: self.script(port: port, path: path, seconds: seconds, body: body)) {
            answer,
            context in
            if let unanswered = Finding.unanswered(answer, context, what: what, fix: fix) { return unanswered }
            guard let (code, body) = self.response(answer) else {
                let reason = answer.lines.last.map { $0.replacingOccurrences(of: "curl: ", with: "") } ?? "no answer"
                return Finding(.critical, "\(what) on port \(port): \(reason)", fix: fix)
            }
            if let finding = read(code, body) { return finding }
            return code == 200
                ? Finding(.ok, "\(what) answers")
                : Finding(.critical, "\(what) answers \(code) on \(path): \(body.prefix(120))", fix: fix)
        }
    }

    /// The JSON object in `body`, if it is one.
    static func object(_ body: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }
}
