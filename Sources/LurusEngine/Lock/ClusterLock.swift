import Foundation
import LurusInventory
import LurusRemote

/// One run at a time per cluster: a directory made with an atomic `mkdir` on the lock node, holding
/// `holder.json` (who, from where, since when, for what).
///
/// The lock node is the node running `k3s-server` (the cluster's centre), else the first node in the
/// inventory. The lock lives in `/var/lib/lurus/lock` (`/var/lib/lurus` is 0700, `holder.json` 0600).
/// Every call is one round trip with a deadline of 15 s.
public enum ClusterLock {
    /// The folder on the lock node that holds the lock.
    public static let directory = "/var/lib/lurus"
    /// The lock itself: it exists while the cluster is locked.
    public static var lockPath: String { "\(self.directory)/lock" }
    /// Deadline of each remote call.
    static let timeout: Duration = .seconds(15)

    /// The node holding the lock: the first `k3s-server` node, else the first node.
    public static func lockNode(in inventory: Inventory) -> Node {
        inventory.nodes(running: .k3sServer).first ?? inventory.nodes[0]
    }

    /// Takes the lock for `command`, or throws `LockError.held` naming who holds it.
    ///
    /// With `wait`, a held lock is tried again every second until `wait` has passed; cancelling the task
    /// stops the waiting (with `CancellationError`).
    public static func acquire(
        command: String,
        inventory: Inventory,
        transport: any NodeTransport,
        wait: Duration? = nil
    ) async throws -> LockHolder {
        let node = self.lockNode(in: inventory)
        let holder = LockHolder.current(command: command, inventory: inventory.path)
        let line = try holder.encodedLine()
        let deadline = wait.map { ContinuousClock.now + $0 }
        while true {
            let result = try await self.run(
                LockScripts.command(LockScripts.acquire),
                input: line,
                on: node,
                transport: transport
            )
            switch result.outcome {
            case .exited(0):
                return holder
            case .exited(3):
                let current = LockHolder.decode(result.stdout)
                guard let deadline, ContinuousClock.now < deadline else {
                    throw LockError.held(current, node: node.name, waited: wait)
                }
                try await Task.sleep(for: min(.seconds(1), deadline - ContinuousClock.now))
            default:
                throw self.failure(result, on: node)
            }
        }
    }

    /// Removes the lock if `holder` holds it; does nothing when nothing is locked. Someone else's lock is
    /// left alone and reported with `LockError.notOurs`.
    public static func release(_ holder: LockHolder, inventory: Inventory, transport: any NodeTransport) async throws {
        let node = self.lockNode(in: inventory)
        let result = try await self.run(
            LockScripts.command(LockScripts.release, holder.id),
            on: node,
            transport: transport
        )
        switch result.outcome {
        case .exited(0), .exited(2): return
        case .exited(3): throw LockError.notOurs(LockHolder.decode(result.stdout) ?? .unknown, node: node.name)
        default: throw self.failure(result, on: node)
        }
    }

    /// Who holds the lock, or nil when the cluster is not locked (`LockHolder.unknown` when it is locked
    /// but `holder.json` cannot be read).
    public static func status(inventory: Inventory, transport: any NodeTransport) async throws -> LockHolder? {
        let node = self.lockNode(in: inventory)
        let result = try await self.run(LockScripts.command(LockScripts.status), on: node, transport: transport)
        switch result.outcome {
        case .exited(2): return nil
        case .exited(3): return LockHolder.decode(result.stdout) ?? .unknown
        default: throw self.failure(result, on: node)
        }
    }

    /// Removes whatever lock there is (for a run that died) and returns its holder; nil when none was there.
    @discardableResult
    public static func forceRelease(inventory: Inventory, transport: any NodeTransport) async throws -> LockHolder? {
        let node = self.lockNode(in: inventory)
        let result = try await self.run(LockScripts.command(LockScripts.forceRelease), on: node, transport: transport)
        switch result.outcome {
        case .exited(0): return LockHolder.decode(result.stdout) ?? .unknown
        case .exited(2): return nil
        default: throw self.failure(result, on: node)
        }
    }

    private static func run(
        _ command: ShellCommand,
        input: [UInt8] = [],
        on node: Node,
        transport: any NodeTransport
    ) async throws -> CommandResult {
        try await transport.run(RemoteCommand(command, input: .bytes(input), timeout: self.timeout), on: node)
    }

    private static func failure(_ result: CommandResult, on node: Node) -> LockError {
        let stderr = String(decoding: result.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome =
            switch result.outcome {
            case .exited(let code): "exit \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            case .timedOut: "no answer within \(self.timeout)"
            }
        return .failed(node: node.name, message: stderr.isEmpty ? outcome : "\(stderr) (\(outcome))")
    }
}
