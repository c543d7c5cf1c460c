import Foundation
import LurusEngine
import Synchronization

/// Shows a run as it goes: on a terminal a live view with one line per node (current step, done/total);
/// otherwise one timestamped line per event (for logs and cron); with `--json` one JSON object per event.
final class RunReporter: Sendable {
    enum Mode: Sendable {
        case live
        case lines
        case json
    }

    private struct NodeLine {
        var text = "waiting"
        var done = 0
        var total = 0
        var failed = false
        var finished = false
    }

    private struct State {
        var lines: [String: NodeLine] = [:]
        var drawn = 0
    }

    private let mode: Mode
    private let nodes: [String]
    private let width: Int
    private let state = Mutex(State())
    private let style: Style

    init(mode: Mode, nodes: [String]) {
        self.mode = mode
        self.nodes = nodes
        self.width = nodes.map(\.count).max() ?? 0
        self.style = Style(enabled: mode == .live)
    }

    var isJSON: Bool { self.mode == .json }
    var isLive: Bool { self.mode == .live }

    var sink: EventSink { { [self] event in self.receive(event) } }

    func receive(_ event: EngineEvent) {
        switch self.mode {
        case .json: self.emitJSON(event)
        case .lines: self.emitLine(event)
        case .live: self.update(event)
        }
    }

    /// Erases the live view drawn so far (before the plan is printed); the next event draws it anew below.
    func clear() {
        guard self.mode == .live else { return }
        self.state.withLock { state in
            if state.drawn > 0 { Terminal.standardOutput.write(bytes: Array("\u{1B}[\(state.drawn)A\u{1B}[J".utf8)) }
            state.drawn = 0
        }
    }

    /// Ends the live view (the last drawing stays on screen).
    func finish() {
        guard self.mode == .live else { return }
        self.state.withLock { $0.drawn = 0 }
    }

    /// A message for people (interruptions), in the run's format.
    func say(_ text: String) {
        switch self.mode {
        case .json: self.write(.event("message", ["text": text]))
        case .lines: Terminal.standardError.write("\(Self.timestamp()) \(text)")
        case .live:
            self.state.withLock { state in
                Terminal.standardError.write(text)
                state.drawn = 0
            }
        }
    }

    // MARK: Plain lines

    private func emitLine(_ event: EngineEvent) {
        let time = Self.timestamp()
        switch event {
        case .nodePlanned(let node, let changes, let resources, let duration):
            self.print(
                "\(time) \(self.pad(node)) planned: \(changes) to change of \(resources) resources (\(Self.format(duration)))"
            )
        case .nodeFailed(let node, let message):
            self.print("\(time) \(self.pad(node)) FAILED: \(message)")
        case .stepStarted:
            break
        case .stepFinished(let node, let unit, let title, let index, let total, let failure, let duration):
            let status = failure.map { "FAILED: \($0)" } ?? "ok"
            self.print(
                "\(time) \(self.pad(node)) [\(index)/\(total)] \(unit.component): \(title): \(status) (\(Self.format(duration)))"
            )
        case .notice:
            break  // the plan printed before the run shows them
        case .unitFinished(let result):
            guard result.status == .skipped || result.status == .interrupted else { return }
            self.print(
                "\(time) \(self.pad(result.unit.node)) \(result.unit.component): \(result.status.rawValue): \(result.message ?? "")"
            )
        }
    }

    // MARK: Live view

    private func update(_ event: EngineEvent) {
        self.state.withLock { state in
            switch event {
            case .nodePlanned(let node, let changes, _, _):
                state.lines[node, default: NodeLine()].text = changes == 0 ? "no changes" : "\(changes) to change"
            case .nodeFailed(let node, let message):
                state.lines[node, default: NodeLine()].failed = true
                state.lines[node, default: NodeLine()].text = message
            case .stepStarted(let node, let unit, let title, let index, let total):
                state.lines[node, default: NodeLine()].total = total
                state.lines[node, default: NodeLine()].done = index - 1
                state.lines[node, default: NodeLine()].text = "\(unit.component): \(title)"
            case .stepFinished(let node, _, let title, let index, let total, let failure, _):
                state.lines[node, default: NodeLine()].done = index
                state.lines[node, default: NodeLine()].total = total
                if let failure {
                    state.lines[node, default: NodeLine()].failed = true
                    state.lines[node, default: NodeLine()].text = "\(title): \(failure)"
                }
            case .notice:
                break
            case .unitFinished(let result):
                var line = state.lines[result.unit.node, default: NodeLine()]
                if !line.failed, line.done >= line.total, line.total > 0 { line.text = "done" }
                if result.status == .skipped, let message = result.message {
                    line.text = "\(result.unit.component): \(message)"
                }
                state.lines[result.unit.node] = line
            }
            self.redraw(&state)
        }
    }

    private func redraw(_ state: inout State) {
        var output = state.drawn > 0 ? "\u{1B}[\(state.drawn)A" : ""
        for node in self.nodes {
            let line = state.lines[node] ?? NodeLine()
            let progress = line.total > 0 ? "[\(line.done)/\(line.total)] " : ""
            var text = "\(self.pad(node))  \(progress)\(line.text)"
            if let columns = Self.columns, text.count > columns - 1 { text = String(text.prefix(columns - 2)) + "…" }
            text = line.failed ? self.style.red(text) : text
            output += "\u{1B}[2K\(text)\n"
        }
        state.drawn = self.nodes.count
        Terminal.standardOutput.write(bytes: Array(output.utf8))
    }

    private static let columns: Int? = {
        var size = winsize()
        return ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 20 ? Int(size.ws_col) : nil
    }()

    // MARK: JSON

    private func emitJSON(_ event: EngineEvent) {
        switch event {
        case .nodePlanned(let node, let changes, let resources, let duration):
            self.write(
                .event(
                    "node_planned",
                    JSONNodePlanned(
                        node: node,
                        changes: changes,
                        resources: resources,
                        durationMs: duration.milliseconds
                    )
                )
            )
        case .nodeFailed(let node, let message):
            self.write(.nodeFailure(JSONNodeFailure(node: node, message: message)))
        case .stepStarted(let node, let unit, let title, let index, let total):
            self.write(
                .event(
                    "step_started",
                    JSONStep(node: node, component: unit.component, title: title, index: index, total: total)
                )
            )
        case .stepFinished(let node, let unit, let title, let index, let total, let failure, let duration):
            var step = JSONStep(node: node, component: unit.component, title: title, index: index, total: total)
            step.status = failure == nil ? "ok" : "failed"
            step.error = failure
            step.durationMs = duration.milliseconds
            self.write(.event("step_finished", step))
        case .notice(let unit, let text):
            self.write(.event("notice", ["node": unit.node, "component": unit.component, "text": text]))
        case .unitFinished(let result):
            self.write(.event("unit_finished", JSONUnitResult(result)))
        }
    }

    func write(_ line: JSONLine) {
        guard let text = try? JSONLine.encode(line) else { return }
        self.state.withLock { _ in Terminal.standardOutput.write(text) }
    }

    private func print(_ text: String) {
        self.state.withLock { _ in Terminal.standardOutput.write(text) }
    }

    private func pad(_ node: String) -> String {
        node.padding(toLength: self.width, withPad: " ", startingAt: 0)
    }

    static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }

    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        return milliseconds < 1000 ? "\(milliseconds) ms" : String(format: "%.1f s", Double(milliseconds) / 1000)
    }
}

struct JSONNodePlanned: Encodable {
    var node: String
    var changes: Int
    var resources: Int
    var durationMs: Int64

    enum CodingKeys: String, CodingKey {
        case node, changes, resources
        case durationMs = "duration_ms"
    }
}

struct JSONStep: Encodable {
    var node: String
    var component: String
    var title: String
    var index: Int
    var total: Int
    var status: String?
    var error: String?
    var durationMs: Int64?

    enum CodingKeys: String, CodingKey {
        case node, component, title, index, total, status, error
        case durationMs = "duration_ms"
    }
}

struct JSONUnitResult: Encodable {
    var node: String
    var component: String
    var status: String
    var changes: [String]
    var restarts: [String]
    var message: String?
    var notices: [String]
    var durationMs: Int

    init(_ result: UnitResult) {
        self.node = result.unit.node
        self.component = result.unit.component
        self.status = result.status.rawValue
        self.changes = result.changes
        self.restarts = result.restarts
        self.message = result.message
        self.notices = result.notices
        self.durationMs = result.durationMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case node, component, status, changes, restarts, message, notices
        case durationMs = "duration_ms"
    }
}
