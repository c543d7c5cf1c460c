import Foundation
import LurusEngine
import LurusInventory
import LurusRemote

/// `lurusctl backup`'s work, under the cluster lock the caller holds: each component's script on its node
/// (all at once), which streams its dumps to the store in hashed segments; then a listing that every
/// object is there; then the manifest, written last; then retention and the textfile metric.
public struct BackupRun: Sendable {
    public var inventory: Inventory
    public var settings: BackupSettings
    public var scripts: BackupScripts
    public var transport: any NodeTransport
    /// `lurusctl VERSION`, for the manifest.
    public var tool: String
    public var segmentBytes: Int
    /// The age identity that reads encrypted backups (`backup.identity`), when the inventory names one.
    public var identity: Secret?
    public var now: @Sendable () -> Date
    /// Progress, a line at a time.
    public var say: @Sendable (String) -> Void

    public init(
        inventory: Inventory,
        settings: BackupSettings,
        scripts: BackupScripts,
        transport: any NodeTransport,
        tool: String,
        segmentBytes: Int = ComponentJobs.defaultSegmentBytes,
        identity: Secret? = nil,
        now: @escaping @Sendable () -> Date = { Date() },
        say: @escaping @Sendable (String) -> Void
    ) {
        self.inventory = inventory
        self.settings = settings
        self.scripts = scripts
        self.transport = transport
        self.tool = tool
        self.segmentBytes = segmentBytes
        self.identity = identity
        self.now = now
        self.say = say
    }

    public var layout: BackupLayout { BackupLayout(prefix: self.settings.prefix, cluster: self.inventory.cluster) }

    /// The store, reached through the first node that takes part (any node would do).
    func store(through node: Node) -> NodeStore {
        NodeStore(scripts: self.scripts, node: node, transport: self.transport)
    }

    /// Every node a store request may go through, in inventory order.
    public var storeNodes: [Node] {
        BackupComponent.allCases.compactMap { ComponentJobs.node(of: $0, in: self.inventory) }
    }

    public struct Outcome: Sendable {
        public var manifest: BackupManifest
        public var retention: RetentionPlan
        public var elapsed: Duration
    }

    public func backup(only: [BackupComponent]) async throws -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        let started = self.now()
        let id = BackupID(startedAt: started)
        let folder = self.layout.folder(of: id)
        let components = ComponentJobs.components(in: self.inventory, only: only)
        let jobs = ComponentJobs.backups(
            components,
            inventory: self.inventory,
            folder: folder,
            segmentBytes: self.segmentBytes
        )
        guard let first = jobs.first else {
            throw BackupError(
                "nothing to back up: "
                    + (only.isEmpty
                        ? "no PostgreSQL, ClickHouse or K3s server is placed"
                        : "\(only.map(\.rawValue).joined(separator: ", ")) is placed on no node"),
                fix: "place the component in the inventory, or leave out --only"
            )
        }
        let store = self.store(through: first.node)
        self.say("backup \(id) to \(self.scripts.target.endpoint)/\(self.scripts.target.bucket)/\(folder)")
        let results = await withTaskGroup(of: (Int, Result<ComponentBackup, BackupError>).self) { group in
            for (index, job) in jobs.enumerated() {
                group.addTask { (index, await self.run(job)) }
            }
            var results: [(Int, Result<ComponentBackup, BackupError>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let failures = results.compactMap { result -> BackupError? in
            if case .failure(let error) = result { return error }
            return nil
        }
        if !failures.isEmpty {
            // What this run stored is not a backup: remove it now (the next run would otherwise).
            if let keys = try? await store.keys(under: folder) { try? await store.delete(keys) }
            throw BackupError(
                failures.map(\.problem).joined(separator: "; "),
                fix: failures.compactMap(\.fix).first
                    ?? "nothing was kept of this backup; fix the cause and run it again"
            )
        }
        let encrypted = !self.settings.encryptTo.isEmpty
        let parts = results.compactMap { try? $0.get() }.map { part in
            var part = part
            for index in part.objects.indices { part.objects[index].encrypted = encrypted }
            return part
        }
        // Every object must be listed before the manifest says the backup exists.
        let stored = Set(try await store.keys(under: folder))
        if let missing = parts.flatMap(\.objects).first(where: { !stored.contains(folder + $0.key) }) {
            throw BackupError(
                "\(missing.key) is not in the store after it was written",
                fix: "check the object store and run the backup again"
            )
        }
        let manifest = BackupManifest(
            cluster: self.inventory.cluster,
            id: id,
            startedAt: started,
            finishedAt: self.now(),
            tool: self.tool,
            recipients: self.settings.encryptTo,
            components: parts
        )
        try await store.put(self.layout.manifestKey(of: id), Array(try manifest.encoded()))
        for part in parts {
            self.say(
                "  \(part.component.rawValue) on \(part.node): \(part.objects.count) objects, \(ByteCount.text(part.objects.reduce(0) { $0 + $1.bytes })), \(part.tables.count) tables"
            )
        }
        let retention = try await self.applyRetention(store: store, dryRun: false)
        await self.writeMetrics(manifest)
        return Outcome(manifest: manifest, retention: retention, elapsed: clock.now - start)
    }

    /// Runs one component's backup script and reads what it stored.
    func run(_ job: ComponentJob) async -> Result<ComponentBackup, BackupError> {
        do {
            let sealing: BackupScripts.Sealing =
                self.settings.encryptTo.isEmpty ? .none : .recipients(self.settings.encryptTo)
            let program = job.installsWALArchive ? try self.scripts.walArchive() : ""
            let command = try self.scripts.command(
                job.scripts,
                job.arguments,
                input: Array(program.utf8),
                sealing: sealing,
                timeout: .seconds(6 * 3600)
            )
            let result = try await self.transport.run(command, on: job.node)
            let output = String(decoding: result.stdout, as: UTF8.self)
            guard result.succeeded else {
                let why = NodeStore.firstLine(result.stderr) ?? "\(result.outcome)"
                return .failure(BackupError("\(job.component.rawValue) on \(job.node.name): \(why)"))
            }
            return .success(
                try ScriptRecords.component(job.component, node: job.node.name, method: job.method, output: output)
            )
        } catch let error as BackupError {
            return .failure(error)
        } catch {
            return .failure(BackupError("\(job.component.rawValue) on \(job.node.name): \(error)"))
        }
    }

    /// Retention as the inventory says, now: incomplete runs, old backups and open uploads removed (or,
    /// with `dryRun`, only decided).
    public func applyRetention(store: NodeStore, dryRun: Bool) async throws -> RetentionPlan {
        let keys = try await store.keys(under: self.layout.root)
        let uploads = try await store.pendingUploads(under: self.layout.root, layout: self.layout)
        let backups = self.layout.backups(in: keys)
        var plan = RetentionPlan(backups: backups, uploads: uploads, settings: self.settings, now: self.now())
        plan.obsoleteWAL = try await self.obsoleteWAL(keys: keys, kept: plan.kept.map(\.id), store: store)
        guard !dryRun else { return plan }
        try await store.delete(plan.obsoleteWAL)
        let removed = Set(plan.removed.map(\.id))
        let doomed = backups.filter { removed.contains($0.id) }.flatMap { backup in
            // The manifest goes first, so a backup half removed is never listed as complete.
            (backup.hasManifest ? [self.layout.manifestKey(of: backup.id)] : []) + backup.keys
        }
        try await store.delete(doomed)
        for upload in plan.abortedUploads { try await store.abort(upload) }
        return plan
    }

    /// The archived WAL no kept backup needs (WALRetention), from the manifests of the kept backups.
    func obsoleteWAL(keys: [String], kept: [BackupID], store: NodeStore) async throws -> [String] {
        let root = self.layout.walRoot
        guard keys.contains(where: { $0.hasPrefix(root) }) else { return [] }
        var oldest: [String: WALSegment] = [:]
        for id in kept.sorted().reversed() {
            guard let bytes = try await store.get(self.layout.manifestKey(of: id)) else { continue }
            let part = try BackupManifest.decode(Data(bytes), source: self.layout.manifestKey(of: id))
                .component(.postgres)
            if let system = part?.systemIdentifier, let start = part?.walStart.flatMap(WALSegment.init) {
                oldest[system] = start
            }
        }
        return WALRetention.obsolete(keys: keys, root: root, oldestStarts: oldest)
    }

    /// The time of this backup per component, for the node exporter's textfile collector on each
    /// component's node (`lurus_backup.prom` beside `health.textfile_path`), written atomically.
    func writeMetrics(_ manifest: BackupManifest) async {
        let directory = self.inventory.health.textfileDirectory
        for part in manifest.components {
            guard let node = self.inventory.node(named: part.node) else { continue }
            let text = BackupMetrics.text(manifest, component: part)
            do {
                _ = try await self.transport.run(
                    RemoteCommand(ShellCommand(["mkdir", "-p", directory])),
                    on: node
                )
                _ = try await self.transport.upload(
                    .bytes(Array(text.utf8)),
                    to: "\(directory)/lurus_backup_\(part.component.rawValue).prom",
                    mode: 0o644,
                    owner: nil,
                    on: node,
                    timeout: .seconds(30)
                )
            } catch {
                self.say("warning: the backup metric was not written on \(node.name): \(error)")
            }
        }
    }
}

/// The textfile metrics of a backup, per component. Pure.
public enum BackupMetrics {
    public static func text(_ manifest: BackupManifest, component part: ComponentBackup) -> String {
        let labels = "cluster=\"\(manifest.cluster)\",component=\"\(part.component.rawValue)\""
        let bytes = part.objects.reduce(0) { $0 + $1.bytes }
        return """
            # HELP lurus_backup_last_success_timestamp_seconds When the newest backup of this component that was stored whole finished.
            # TYPE lurus_backup_last_success_timestamp_seconds gauge
            lurus_backup_last_success_timestamp_seconds{\(labels)} \(Int(manifest.finishedAt.timeIntervalSince1970))
            # HELP lurus_backup_last_size_bytes Bytes stored by that backup for this component.
            # TYPE lurus_backup_last_size_bytes gauge
            lurus_backup_last_size_bytes{\(labels)} \(bytes)

            """
    }
}

/// Sizes for people: 1.2 MB.
public enum ByteCount {
    public static func text(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
