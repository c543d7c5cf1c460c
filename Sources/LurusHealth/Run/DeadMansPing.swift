import Foundation
import Subprocess
import SystemPackage

/// Pings a dead-man's switch (healthchecks.io's protocol) around a run: `URL/start?rid=RID` when it
/// begins, then `URL?rid=RID` when all is OK or `URL/fail?rid=RID` otherwise, with the report as the body,
/// so the switch raises the alarm both when the pings stop and when a run fails. The URL holds a token: it
/// goes to curl in a config on stdin, never on a command line, and no message repeats it.
public struct DeadMansPing: Sendable {
    let url: String
    /// Pairs the start with its end (healthchecks.io's run id).
    let runID = UUID().uuidString.lowercased()

    /// How long each ping may take.
    static let seconds = 5
    /// What a switch keeps of a body (healthchecks.io keeps 10 kB).
    static let bodyLimit = 10_000

    public init(url: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// Nil when it was delivered; else why not, in words without the URL.
    public func start() async -> String? {
        await self.send(path: "/start", body: [])
    }

    public func finish(_ status: HealthStatus, report: String) async -> String? {
        await self.send(path: status == .ok ? "" : "/fail", body: Array(report.utf8.prefix(Self.bodyLimit)))
    }

    func send(path: String, body: [UInt8]) async -> String? {
        let target = "\(self.url)\(path)?rid=\(self.runID)"
        let escaped = target.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        // The body in a file of its own (0600): stdin carries the config.
        let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lurus-ping-\(self.runID)\(path.isEmpty ? "-ok" : path.dropFirst())"
        )
        defer { try? FileManager.default.removeItem(at: bodyFile) }
        guard
            FileManager.default.createFile(
                atPath: bodyFile.path,
                contents: Data(body),
                attributes: [.posixPermissions: 0o600]
            )
        else { return "cannot write the ping's body in \(bodyFile.deletingLastPathComponent().path)" }
        let config = "url = \"\(escaped)\"\ndata-binary = \"@\(bodyFile.path)\"\n"
        var platform = PlatformOptions()
        platform.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))]
        do {
            let result = try await Subprocess.run(
                .path(FilePath("/usr/bin/curl")),
                arguments: [
                    "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", String(Self.seconds), "-K", "-",
                ],
                platformOptions: platform,
                input: .array(Array(config.utf8)),
                output: .string(limit: 1024),
                error: .string(limit: 4096)
            )
            let code = result.standardOutput
            guard case .exited(0) = result.terminationStatus, code.hasPrefix("2") else {
                // curl names the host in some errors: the URL and its host are taken out.
                let said = result.standardError.split(separator: "\n").last.map(String.init) ?? ""
                return code.isEmpty || code == "000"
                    ? "the ping was not delivered (\(Self.redacted(said, url: self.url)))"
                    : "the ping was answered \(code)"
            }
            return nil
        } catch {
            return "the ping could not run curl: \(error)"
        }
    }

    /// `text` without the URL or its host.
    static func redacted(_ text: String, url: String) -> String {
        var result = text.replacingOccurrences(of: url, with: "(the ping URL)")
        if let host = URL(string: url)?.host, !host.isEmpty {
            result = result.replacingOccurrences(of: host, with: "(its host)")
        }
        return result
    }
}
