import Foundation
import LurusRemote

/// One node's checks in one round trip: a generated script, sent on stdin to `sh -s`, starts every check
/// at once, each under `timeout` with its own deadline, waits for them all, and prints each answer after a
/// marker, base64-encoded so that no answer can look like a marker. Pure: checks -> script, output ->
/// answers.
public enum HealthProbe {
    static let marker = "::lurus-health "

    /// How the script learns the node's mesh address.
    public enum MeshAddress: Sendable, Hashable {
        case literal(String)
        /// The IPv4 address on this interface (Tailscale's), read on the node.
        case interface(String)
    }

    /// A file the checks read, written 0600 into the probe's own folder before they start, its path in
    /// the environment variable `variable`: the way a secret reaches a check (it travels in the script, on
    /// stdin, never in an argument of any process).
    public struct SecretFile: Sendable, Hashable {
        public var variable: String
        public var content: [UInt8]

        public init(variable: String, content: [UInt8]) {
            self.variable = variable
            self.content = content
        }
    }

    public static func script(
        _ checks: [HealthCheck],
        mesh: MeshAddress,
        seconds: Double,
        files: [SecretFile] = []
    ) -> String {
        var lines = [
            "# lurusctl health: every check of this node at once, each cut off after \(seconds)s.",
            // The script arrives on stdin: each check's own stdin is /dev/null, never the script's.
            "exec 2>/dev/null",
        ]
        switch mesh {
        case .literal(let address):
            lines.append("MESH=\(Shell.quote(address))")
        case .interface(let interface):
            lines.append(
                "MESH=$(ip -4 -o addr show dev \(Shell.quote(interface)) | awk '{print $4}' | cut -d/ -f1 | head -n 1)"
            )
        }
        lines += [
            "case $MESH in *:*) MESH_URL_HOST=\"[$MESH]\" ;; *) MESH_URL_HOST=$MESH ;; esac",
            "export MESH MESH_URL_HOST",
            // Checks run from /: a tool run as another user (psql as postgres) cannot enter root's home.
            "cd /",
            "d=$(mktemp -d /tmp/lurus-health.XXXXXX) || { echo '\(Self.marker)failed mktemp'; exit 0; }",
            "trap 'rm -rf \"$d\"' EXIT",
        ]
        for (index, file) in files.enumerated() {
            // base64 in single quotes: no content can end the quote or reach the shell.
            let encoded = Data(file.content).base64EncodedString()
            lines += [
                "(umask 077; printf '%s' '\(encoded)' | base64 -d >\"$d/secret-\(index)\")",
                "\(file.variable)=\"$d/secret-\(index)\"; export \(file.variable)",
            ]
        }
        lines += [
            "check() { timeout -k 0.3 \(seconds) sh -c \"$2\" >\"$d/$1\" 2>&1 </dev/null; echo $? >\"$d/$1.rc\"; }"
        ]
        for (index, check) in checks.enumerated() {
            lines.append("check \(index) \(Shell.quote(check.script)) &")
        }
        lines += [
            "wait",
            "for n in \((0..<checks.count).map(String.init).joined(separator: " ")); do",
            "  printf '\(Self.marker)%s %s\\n' \"$n\" \"$(cat \"$d/$n.rc\")\"",
            // The last 64 kB: an answer ends with what it says (a status code, a last line).
            "  tail -c 65536 \"$d/$n\" | base64 -w 0; echo",
            "done",
            "echo '\(Self.marker)end'",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The answers in check order; nil when the output was cut short (the connection broke mid-probe).
    public static func answers(_ output: [UInt8], count: Int) -> [ProbeAnswer]? {
        let text = String(decoding: output, as: UTF8.self)
        var answers = [ProbeAnswer?](repeating: nil, count: count)
        var current: (index: Int, status: Int32?)?
        var ended = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(Self.marker) {
                let fields = line.dropFirst(Self.marker.count).split(separator: " ")
                if fields.first == "end" {
                    ended = true
                    current = nil
                } else if let index = fields.first.flatMap({ Int($0) }), index < count {
                    // timeout exits 124 when it cut the check off, 137 when it had to kill it.
                    let status = fields.count > 1 ? Int32(fields[1]) : nil
                    current = (index, status == 124 || status == 137 ? nil : status)
                }
            } else if let (index, status) = current {
                let decoded = Data(base64Encoded: String(line)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                answers[index] = ProbeAnswer(status: status, output: decoded)
                current = nil
            }
        }
        guard ended else { return nil }
        return answers.map { $0 ?? ProbeAnswer(status: nil, output: "") }
    }
}
