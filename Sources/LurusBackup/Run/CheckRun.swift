import Foundation
import LurusInventory
import LurusRemote

/// `backup list`, `backup verify` and `restore --drill`: reading what the store holds, and checking a
/// backup on the nodes that made it (every segment re-read and re-hashed there, every dump read whole; a
/// drill restores into scratch databases and compares row for row with the manifest).
public struct CheckRun: Sendable {
    public var run: BackupRun

    public init(_ run: BackupRun) { self.run = run }

    var layout: BackupLayout { self.run.layout }

    func store() throws -> NodeStore {
        guard let node = self.run.storeNodes.first else {
            throw BackupError(
                "no node to reach the object store through: no PostgreSQL, ClickHouse or K3s server is placed"
            )
        }
        return self.run.store(through: node)
    }

    /// One stored backup as `list` shows it.
    public struct Listed: Sendable {
        public var stored: StoredBackup
        /// Its manifest, when it has one that reads.
        public var manifest: BackupManifest?
        /// Why the manifest does not read, when it does not.
        public var problem: String?
    }

    /// Every backup of the cluster in the store, oldest first, each with its manifest.
    public func list() async throws -> [Listed] {
        let store = try self.store()
        let backups = self.layout.backups(in: try await store.keys(under: self.layout.root))
        var listed: [Listed] = []
        for backup in backups {
            guard backup.hasManifest else {
                listed.append(Listed(stored: backup, manifest: nil, problem: nil))
                continue
            }
            do {
                listed.append(
                    Listed(stored: backup, manifest: try await self.manifest(of: backup.id, in: store), problem: nil)
                )
            } catch {
                listed.append(Listed(stored: backup, manifest: nil, problem: "\(error)"))
            }
        }
        return listed
    }

    func manifest(of id: BackupID, in store: NodeStore) async throws -> BackupManifest {
        let key = self.layout.manifestKey(of: id)
        guard let bytes = try await store.get(key) else {
            throw BackupError(
                "backup \(id) has no manifest: it is not complete",
                fix: "lurusctl backup list shows the complete ones"
            )
        }
        return try BackupManifest.decode(Data(bytes), source: key)
    }

    /// The manifest of `id`, or of the newest complete backup.
    public func manifest(_ id: BackupID?) async throws -> BackupManifest {
        let store = try self.store()
        if let id { return try await self.manifest(of: id, in: store) }
        let complete = self.layout.backups(in: try await store.keys(under: self.layout.root)).filter(\.hasManifest)
        guard let newest = complete.last else {
            throw BackupError(
                "the store holds no complete backup of \(self.run.inventory.cluster)",
                fix: "run lurusctl backup"
            )
        }
        return try await self.manifest(of: newest.id, in: store)
    }

    /// The backup a recovery to `target` starts from: `id`'s when given (it must have a base backup that
    /// finished by then), else the newest that fits.
    public func base(for target: Date, id: BackupID?) async throws -> BackupManifest {
        if let id {
            let manifest = try await self.manifest(id)
            guard PointInTime.base(for: target, among: [manifest]) != nil else {
                throw BackupError(
                    "backup \(id) cannot start a recovery to \(PointInTime.recoveryTarget(target)): "
                        + (manifest.component(.postgres)?.hasBase == true
                            ? "it finished after that time" : "it has no PostgreSQL base backup"),
                    fix: "leave out the id to take the newest that fits"
                )
            }
            return manifest
        }
        let manifests = try await self.list().compactMap(\.manifest)
        guard let manifest = PointInTime.base(for: target, among: manifests) else {
            let oldest = manifests.filter { $0.component(.postgres)?.hasBase == true }.map(\.finishedAt).min()
            throw BackupError(
                "no backup with a PostgreSQL base backup had finished by \(PointInTime.recoveryTarget(target))"
                    + (oldest.map { " (the oldest finished at \(PointInTime.recoveryTarget($0)))" } ?? ""),
                fix: oldest == nil
                    ? "set backup.point_in_time: true, run lurusctl up and lurusctl backup"
                    : "choose a later time"
            )
        }
        return manifest
    }

    /// What one component's check found.
    public struct ComponentCheck: Sendable {
        public var component: BackupComponent
        public var node: String
        public var streams: Int
        /// Rows compared with the manifest (ClickHouse verify and drills).
        public var rows: Int64
        public var tables: Int
        public var elapsed: Duration
        public var problem: String?
        /// What a point-in-time recovery said: where it stopped, where the data before it was kept.
        public var notes: [String] = []

        /// Nothing checked yet, on the node that made the part.
        public init(starting part: ComponentBackup, problem: String? = nil) {
            self.component = part.component
            self.node = part.node
            self.streams = 0
            self.rows = 0
            self.tables = 0
            self.elapsed = .zero
            self.problem = problem
        }
    }

    /// Verifies (or drills, with `drill`) every part of `manifest` selected by `only`, all nodes at once.
    public func check(_ manifest: BackupManifest, drill: Bool, only: [BackupComponent]) async throws -> [ComponentCheck]
    {
        let folder = self.layout.folder(of: manifest.id)
        let sealing = try self.sealing(of: manifest)
        let parts = manifest.components.filter { only.isEmpty || only.contains($0.component) }
        return await withTaskGroup(of: (Int, ComponentCheck).self) { group in
            for (index, part) in parts.enumerated() {
                group.addTask { (index, await self.check(part, drill: drill, folder: folder, sealing: sealing)) }
            }
            var checks: [(Int, ComponentCheck)] = []
            for await check in group { checks.append(check) }
            return checks.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// How the scripts read `manifest`'s objects: with the identity when the backup is encrypted.
    func sealing(of manifest: BackupManifest) throws -> BackupScripts.Sealing {
        guard !manifest.recipients.isEmpty else { return .none }
        guard let identity = self.run.identity else {
            throw BackupError(
                "backup \(manifest.id) is encrypted (age, \(manifest.recipients.count) recipients) and the inventory names no backup.identity",
                fix: "set backup.identity to the reference of the age private key, e.g. file:~/.config/lurus/age-key"
            )
        }
        return .identity(identity)
    }

    func check(
        _ part: ComponentBackup,
        drill: Bool,
        folder: String,
        sealing: BackupScripts.Sealing
    ) async -> ComponentCheck {
        let clock = ContinuousClock()
        let start = clock.now
        var check = ComponentCheck(starting: part)
        guard let job = ComponentJobs.check(part, drill: drill, inventory: self.run.inventory, folder: folder) else {
            check.problem = "node \(part.node) is not in the inventory and nothing runs \(part.component.rawValue)"
            return check
        }
        check.node = job.node.name
        await self.execute(job, part: part, sealing: sealing, into: &check)
        check.elapsed = clock.now - start
        return check
    }

    /// Runs a check or restore job with the part's spec on stdin and reads what it printed: `ok STREAM`
    /// per stream, `rows DATABASE TABLE N` per ClickHouse table, `tables DATABASE N` per PostgreSQL
    /// database (whose rows are then the manifest's, every table having matched).
    func execute(
        _ job: ComponentJob,
        part: ComponentBackup,
        sealing: BackupScripts.Sealing,
        extra: [String] = [],
        into check: inout ComponentCheck
    ) async {
        do {
            let command = try self.run.scripts.command(
                job.scripts,
                job.arguments,
                input: ComponentJobs.spec(of: part) + extra.flatMap { Array(($0 + "\n").utf8) },
                sealing: sealing,
                timeout: .seconds(6 * 3600)
            )
            let result = try await self.run.transport.run(command, on: job.node)
            for line in String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                switch fields.first {
                case "ok": check.streams += 1
                case "rows" where fields.count == 4:
                    check.rows += Int64(fields[3]) ?? 0
                    check.tables += 1
                case "recovered" where fields.count == 2:
                    check.notes.append("recovery: \(fields[1])")
                case "kept" where fields.count == 2:
                    check.notes.append(
                        "the data directory from before the restore is kept at \(fields[1]): remove it when satisfied"
                    )
                case "tables" where fields.count == 3:
                    check.tables += Int(fields[2]) ?? 0
                    check.rows += part.tables.filter { $0.database == fields[1] }.reduce(0) { $0 + $1.rows }
                default: break
                }
            }
            if !result.succeeded {
                check.problem = NodeStore.firstLine(result.stderr) ?? "\(result.outcome)"
            }
        } catch {
            check.problem = "\(error)"
        }
    }
}
