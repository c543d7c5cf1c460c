import LurusInventory

/// What a remote command reads on standard input.
public enum RemoteInput: Sendable {
    /// These bytes (a script, a secret, a small file).
    case bytes([UInt8])
    /// A local file, streamed: it is never held in memory whole.
    case file(String)
}

/// A shell command for a node, what to feed it, and how long it may run.
public struct RemoteCommand: Sendable {
    /// The command line the node's shell runs.
    public var line: [UInt8]
    /// The command's standard input (secrets and scripts go here, never in `line`).
    public var input: RemoteInput
    /// Deadline on the node; the command's whole process group is killed when it passes.
    public var timeout: Duration

    /// A command line as an operator types it (pipes and globs are the remote shell's).
    public init(shell line: String, input: RemoteInput = .bytes([]), timeout: Duration = .seconds(60)) {
        self.line = Array(line.utf8)
        self.input = input
        self.timeout = timeout
    }

    /// An argument vector, quoted by `Shell.render`.
    public init(_ command: ShellCommand, input: RemoteInput = .bytes([]), timeout: Duration = .seconds(60)) {
        self.line = Shell.render(command)
        self.input = input
        self.timeout = timeout
    }
}

/// What a command did on a node.
public struct CommandResult: Sendable {
    public var node: String
    public var outcome: RemoteRunner.Outcome
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var duration: Duration

    public var succeeded: Bool { self.outcome == .exited(0) }

    public init(node: String, outcome: RemoteRunner.Outcome, stdout: [UInt8], stderr: [UInt8], duration: Duration) {
        self.node = node
        self.outcome = outcome
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
    }
}

/// A piece of a running command's output, handed over as it arrives.
public struct OutputChunk: Sendable {
    public enum Stream: Sendable { case standardOutput, standardError }
    public var node: String
    public var stream: Stream
    public var bytes: [UInt8]
}

/// Receives output while a command runs (called from the task reading it; must return quickly).
public typealias OutputSink = @Sendable (OutputChunk) -> Void
