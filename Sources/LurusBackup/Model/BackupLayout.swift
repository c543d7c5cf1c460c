/// Where a cluster's backups live in the bucket: `PREFIX/CLUSTER/ID/…`, each backup's objects under its
/// own folder and its manifest written last as `PREFIX/CLUSTER/ID/manifest.json`. Pure.
public struct BackupLayout: Sendable, Hashable {
    public static let manifestName = "manifest.json"

    /// `backup.prefix` without slashes at either end (it may be empty).
    public var prefix: String
    public var cluster: String

    public init(prefix: String, cluster: String) {
        self.prefix = String(prefix.drop { $0 == "/" }.reversed().drop { $0 == "/" }.reversed())
        self.cluster = cluster
    }

    /// The folder all of the cluster's backups are under, ending in `/`.
    public var root: String { (self.prefix.isEmpty ? "" : self.prefix + "/") + self.cluster + "/" }

    /// The folder of backup `id`, ending in `/`.
    public func folder(of id: BackupID) -> String { self.root + id.text + "/" }

    /// The key of `name` (`postgres/lurus_billing.dump.zst`) in backup `id`.
    public func key(_ name: String, in id: BackupID) -> String { self.folder(of: id) + name }

    public func manifestKey(of id: BackupID) -> String { self.key(Self.manifestName, in: id) }

    /// PostgreSQL's archived WAL (backup.point_in_time), one object per file:
    /// `ROOT/wal/SYSTEM_IDENTIFIER/NAME.zst`, a folder per server (a rebuilt one has a new identifier).
    public var walRoot: String { self.root + "wal/" }

    public func walFolder(system: String) -> String { self.walRoot + system + "/" }

    /// The backups a listing of the root shows, oldest first: each id with whether its manifest is there
    /// and the keys stored under it. Keys that are not under an id's folder are left out.
    public func backups(in keys: [String]) -> [StoredBackup] {
        var found: [BackupID: StoredBackup] = [:]
        for key in keys where key.hasPrefix(self.root) {
            let rest = key.dropFirst(self.root.count)
            guard let slash = rest.firstIndex(of: "/"), let id = BackupID(String(rest[..<slash])) else { continue }
            let name = String(rest[rest.index(after: slash)...])
            var backup = found[id] ?? StoredBackup(id: id, hasManifest: false, keys: [])
            if name == Self.manifestName { backup.hasManifest = true } else { backup.keys.append(key) }
            found[id] = backup
        }
        return found.values.sorted { $0.id < $1.id }
    }
}

/// One backup folder as a listing shows it.
public struct StoredBackup: Sendable, Hashable {
    public var id: BackupID
    /// Whether `manifest.json` is there: without it the backup is incomplete (a run that did not finish).
    public var hasManifest: Bool
    /// Its other keys.
    public var keys: [String]
}

extension BackupLayout {
    /// The backup `key` belongs to, when it is under one's folder.
    public func backupID(of key: String) -> BackupID? {
        guard key.hasPrefix(self.root) else { return nil }
        let rest = key.dropFirst(self.root.count)
        return rest.firstIndex(of: "/").flatMap { BackupID(String(rest[..<$0])) }
    }
}
