import Foundation
import LurusInventory

/// Turns what `ssh` printed when it exited 255 into a `RemoteError` with the likely fix.
///
/// The patterns are OpenSSH's own messages (recorded against OpenSSH 9.2 in the local lab); anything
/// unrecognised is passed on verbatim as a transport error.
public enum SSHFailureClassifier {
    public static func classify(stderr: String, node: Node, jump: Node?) -> RemoteError {
        let address = "\(node.address):\(node.ssh.port)"
        func error(_ kind: RemoteError.Kind, _ message: String, hint: String) -> RemoteError {
            RemoteError(kind, node: node.name, address: address, message, hint: hint)
        }
        let knownHostsFile = node.ssh.knownHostsFile ?? "~/.ssh/known_hosts"
        if stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
            || stderr.contains("has changed and you have requested strict checking")
        {
            let fingerprint =
                stderr.split(separator: "\n").first { $0.hasPrefix("SHA256:") }.map {
                    " (now \($0.hasSuffix(".") ? $0.dropLast() : $0))"
                } ?? ""
            return error(
                .changedHostKey,
                "its host key has CHANGED since it was recorded\(fingerprint)",
                hint:
                    "if the node was reinstalled, remove the old key with ssh-keygen -f \"\(knownHostsFile)\" -R \"\(node.address)\" and run again with --trust-new-hosts; otherwise do not connect"
            )
        }
        if stderr.contains("host key is known for") || stderr.contains("Host key verification failed") {
            return error(
                .unknownHostKey,
                "its host key is not in \(knownHostsFile)",
                hint:
                    "check the fingerprint on the node's console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then run again with --trust-new-hosts to record it"
            )
        }
        if stderr.contains("Permission denied") {
            let key = node.ssh.identityFile.map { "the key \($0)" } ?? "the keys ssh offered"
            return error(
                .authentication,
                "\(node.ssh.user)@ refused \(key)",
                hint:
                    "add the public key to ~\(node.ssh.user)/.ssh/authorized_keys on the node, or set ssh.identity_file / ssh.user"
            )
        }
        // A connect failure that names another address than the node's is the jump host's.
        if let jump, let line = stderr.split(separator: "\n").first(where: { $0.contains("connect to host") }),
            !line.contains("connect to host \(node.address) ")
        {
            return RemoteError(
                .jumpHost,
                node: node.name,
                address: address,
                "the jump host \(jump.name) (\(jump.address):\(jump.ssh.port)) cannot be reached: \(Self.reason(String(line)))",
                hint: "check that \(jump.name) is up; \(node.name) is reached only through it"
            )
        }
        for (pattern, reason) in [
            ("Connection timed out", "connection timed out"), ("Operation timed out", "connection timed out"),
            ("Connection refused", "connection refused: is sshd running and on this port?"),
            ("No route to host", "no route to host"), ("Network is unreachable", "network unreachable"),
            ("Could not resolve hostname", "the name does not resolve"),
        ] where stderr.contains(pattern) {
            let hint =
                jump == nil
                ? "check the node is up and the address and port in the inventory"
                : "check the node is up behind \(jump!.name)"
            return error(.unreachable, "unreachable: \(reason)", hint: hint)
        }
        let detail = stderr.split(separator: "\n").last.map(String.init) ?? "ssh exited 255 and said nothing"
        return error(
            .transport,
            "ssh failed: \(detail)",
            hint: "the connection dropped; if the node is rebooting, run again once it is up"
        )
    }

    private static func reason(_ line: String) -> String {
        line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? line
    }
}
