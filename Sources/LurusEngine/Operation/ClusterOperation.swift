import Foundation
import LurusInventory
import LurusRemote

/// What a mutating operation did, for its audit record.
public struct OperationRecord: Sendable, Hashable {
    public var result: AuditResult
    /// Per node: what changed, what failed.
    public var nodes: [AuditNode]
    /// The nodes something was done to or failed on: the record is appended to each one's log.
    public var touched: [String]

    public init(result: AuditResult, nodes: [AuditNode], touched: [String]) {
        self.result = result
        self.nodes = nodes
        self.touched = touched
    }

    /// The record of a run: ok, failed or interrupted, and every node that changed, failed or stopped.
    public init(_ run: RunResult) {
        self.result = run.interrupted ? .interrupted : run.succeeded ? .ok : .failed
        self.nodes = run.nodes.map { node in
            AuditNode(name: node.node, changed: node.changes.count, failed: node.count(.failed), changes: node.changes)
        }
        self.touched =
            run.nodes.filter { !$0.changes.isEmpty || $0.count(.failed) > 0 || $0.count(.interrupted) > 0 }
            .map(\.node)
    }
}

extension OperationRecord {
    /// This record and a later part of the same operation (an `up`'s deploy): the worse result, the nodes'
    /// changes and failures added up.
    public func merging(_ later: OperationRecord) -> OperationRecord {
        let rank: [AuditResult: Int] = [.ok: 0, .failed: 1, .interrupted: 2]
        let result = (rank[later.result] ?? 0) > (rank[self.result] ?? 0) ? later.result : self.result
        var nodes = self.nodes
        for node in later.nodes {
            if let index = nodes.firstIndex(where: { $0.name == node.name }) {
                nodes[index].changed += node.changed
                nodes[index].failed += node.failed
                nodes[index].changes += node.changes
            } else {
                nodes.append(node)
            }
        }
        var touched = self.touched
        for node in later.touched where !touched.contains(node) { touched.append(node) }
        return OperationRecord(result: result, nodes: nodes, touched: touched)
    }
}

/// One mutating verb's run across the cluster: take the cluster lock, do the work, append the audit
/// record (on every node touched and locally), release the lock. Recording and releasing happen even
/// after a second Ctrl-C cancelled the work. `up` uses it; `deploy`, `rollback`, `backup` and `restore`
/// do the same through it.
public struct ClusterOperation: Sendable {
    /// The verb, as recorded in the lock and the audit log.
    public var verb: String
    /// The command line, for the audit record.
    public var command: [String]
    public var inventory: Inventory
    public var transport: any NodeTransport
    /// How long to wait for a lock someone else holds; nil fails at once.
    public var lockWait: Duration?
    /// Problems that do not stop the operation (an audit log that could not be written).
    public var warn: @Sendable (String) -> Void

    public init(
        verb: String,
        command: [String] = CommandLine.arguments,
        inventory: Inventory,
        transport: any NodeTransport,
        lockWait: Duration?,
        warn: @escaping @Sendable (String) -> Void
    ) {
        self.verb = verb
        self.command = command
        self.inventory = inventory
        self.transport = transport
        self.lockWait = lockWait
        self.warn = warn
    }

    /// What `work` returns: its value, and the record to audit (nil when nothing was done, such as an
    /// operator declining the plan).
    public struct Outcome<Value: Sendable>: Sendable {
        public var value: Value
        public var record: OperationRecord?

        public init(_ value: Value, record: OperationRecord?) {
            self.value = value
            self.record = record
        }
    }

    /// Runs `prepare` (read-only work such as planning) and then `work` under the cluster lock.
    ///
    /// Without `lockWait`, `prepare` runs while the lock is being taken, to save a round trip, but its
    /// events reach `events` only once the lock is held: a run refused at the lock shows nothing of its
    /// plan. With `lockWait`, `prepare` runs after the lock is taken, since the holder may change the
    /// nodes meanwhile. A lock that cannot be taken throws `LockError` with nothing done on any node.
    public func run<Prepared: Sendable, Value: Sendable>(
        events: @escaping EventSink,
        prepare: @escaping @Sendable (_ events: @escaping EventSink) async -> Prepared,
        work: @escaping @Sendable (Prepared, LockHolder) async throws -> Outcome<Value>
    ) async throws -> Value {
        let start = Date()
        let holder: LockHolder
        let prepared: Prepared
        if self.lockWait == nil {
            let gate = EventGate(forwardingTo: events)
            async let early = prepare(gate.events)
            do {
                holder = try await self.lock()
            } catch {
                gate.discard()
                // Planning only reads: let it end rather than cancel it, since cancelling kills ssh
                // processes that may be reading their stdin, and a write to a closed pipe is SIGPIPE.
                _ = await early
                throw error
            }
            gate.open()
            prepared = await early
        } else {
            holder = try await self.lock()
            prepared = await prepare(events)
        }
        let outcome: Outcome<Value>
        do {
            outcome = try await work(prepared, holder)
        } catch {
            let failed = OperationRecord(result: Task.isCancelled ? .interrupted : .failed, nodes: [], touched: [])
            await shieldedFromCancellation { await self.finish(holder, record: failed, start: start) }
            throw error
        }
        await shieldedFromCancellation { await self.finish(holder, record: outcome.record, start: start) }
        return outcome.value
    }

    private func lock() async throws -> LockHolder {
        try await ClusterLock.acquire(
            command: self.verb,
            inventory: self.inventory,
            transport: self.transport,
            wait: self.lockWait
        )
    }

    /// Appends the record (when there is one) on every node touched and locally, then releases the lock.
    private func finish(_ holder: LockHolder, record: OperationRecord?, start: Date) async {
        if let record {
            let entry = AuditRecord.make(
                command: self.command,
                verb: self.verb,
                inventoryPath: self.inventory.path,
                result: record.result,
                nodes: record.nodes,
                duration: Date().timeIntervalSince(start)
            )
            let nodes = record.touched.compactMap { self.inventory.node(named: $0) }
            let transport = self.transport
            let written = await NodeFanOut.results(nodes) { node in
                try await AuditLog.append(entry, on: node, transport: transport)
            }
            for case .failure(let error) in written.map(\.result) {
                self.warn("the audit record was not appended there: \(error.description)")
            }
            do {
                try AuditLog.appendLocal(entry, state: StateDirectory(for: self.inventory))
            } catch {
                self.warn("could not write the local audit log: \(error)")
            }
        }
        do {
            try await ClusterLock.release(holder, inventory: self.inventory, transport: self.transport)
        } catch {
            self.warn("\(error)")
        }
    }
}
