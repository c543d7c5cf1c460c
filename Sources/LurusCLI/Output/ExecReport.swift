import Foundation
import LurusInventory
import LurusRemote

/// The results of `exec` on every node: text for people, JSON lines for machines, and a summary.
struct ExecReport {
    var outcomes: [NodeResult<CommandResult>]
    var elapsed: Duration

    var allSucceeded: Bool {
        self.outcomes.allSatisfy { outcome in (try? outcome.result.get())?.succeeded == true }
    }

    /// `4 nodes: 3 ok, 1 failed (heart) in 0.41s`
    var summary: String {
        var ok = 0
        var failed: [String] = []
        var unreachable: [String] = []
        for outcome in self.outcomes {
            switch outcome.result {
            case .success(let result) where result.succeeded: ok += 1
            case .success: failed.append(outcome.node.name)
            case .failure: unreachable.append(outcome.node.name)
            }
        }
        var parts = ["\(ok) ok"]
        if !failed.isEmpty { parts.append("\(failed.count) failed (\(failed.joined(separator: ", ")))") }
        if !unreachable.isEmpty {
            parts.append("\(unreachable.count) not reached (\(unreachable.joined(separator: ", ")))")
        }
        let count = self.outcomes.count
        return
            "\(count) node\(count == 1 ? "" : "s"): \(parts.joined(separator: ", ")) in \(Self.seconds(self.elapsed))"
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2fs", Double(duration.milliseconds) / 1000)
    }

    static func describe(_ outcome: RemoteRunner.Outcome) -> String {
        switch outcome {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .timedOut: "timed out and killed"
        }
    }

    /// After a live run (lines already printed with their node's name) only failures and the summary;
    /// otherwise each node's output as one block under a header line.
    func printText(streamed: Bool) {
        for outcome in self.outcomes {
            let name = outcome.node.name
            switch outcome.result {
            case .success(let result):
                let status = "\(Self.describe(result.outcome)) in \(Self.seconds(result.duration))"
                if streamed {
                    if !result.succeeded { Terminal.standardError.write("\(name): \(status)") }
                    continue
                }
                Terminal.standardOutput.write("== \(name) (\(outcome.node.address)): \(status)")
                let out = String(decoding: result.stdout, as: UTF8.self)
                let err = String(decoding: result.stderr, as: UTF8.self)
                if !out.isEmpty { Terminal.standardOutput.write(out) }
                if !err.isEmpty { Terminal.standardError.write(err) }
            case .failure(let error):
                Terminal.standardError.write(error.description)
            }
        }
        Terminal.standardError.write(self.summary)
    }

    struct JSONLine: Encodable {
        var node: String
        var address: String
        var status: String
        var exitCode: Int32?
        var signal: Int32?
        var stdout: String
        var stderr: String
        var durationMilliseconds: Int64?
        var error: ErrorEntry?

        struct ErrorEntry: Encodable {
            var kind: String
            var message: String
            var hint: String
        }

        enum CodingKeys: String, CodingKey {
            case node, address, status, stdout, stderr, error, signal
            case exitCode = "exit_code"
            case durationMilliseconds = "duration_ms"
        }
    }

    func jsonLines() throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try self.outcomes.map { outcome in
            var line = JSONLine(
                node: outcome.node.name,
                address: outcome.node.address.description,
                status: "",
                stdout: "",
                stderr: ""
            )
            switch outcome.result {
            case .success(let result):
                line.stdout = String(decoding: result.stdout, as: UTF8.self)
                line.stderr = String(decoding: result.stderr, as: UTF8.self)
                line.durationMilliseconds = result.duration.milliseconds
                switch result.outcome {
                case .exited(let code):
                    line.status = code == 0 ? "ok" : "failed"
                    line.exitCode = code
                case .signaled(let signal):
                    line.status = "failed"
                    line.signal = signal
                case .timedOut:
                    line.status = "timeout"
                }
            case .failure(let error):
                line.status = error.kind == .timeout ? "timeout" : "unreachable"
                line.error = .init(kind: error.kind.rawValue, message: error.message, hint: error.hint)
            }
            return String(decoding: try encoder.encode(line), as: UTF8.self)
        }
    }
}
