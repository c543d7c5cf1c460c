import Foundation
import LurusInventory

/// What retention keeps and removes after a successful backup, and what a killed run left: a pure
/// function of the stored backups, the inventory's `keep_last` and `max_age`, and the time.
///
/// - A folder without its manifest is a run that did not finish (backups run under the cluster lock, so
///   no other run is writing one): it is removed, as are unfinished multipart uploads.
/// - The newest complete backup is never removed, whatever its age.
/// - Another complete backup is kept while it is among the newest `keep_last` and not older than
///   `max_age`.
public struct RetentionPlan: Sendable, Hashable {
    public struct Decision: Sendable, Hashable {
        public var id: BackupID
        public var reason: String
    }

    public var kept: [Decision]
    public var removed: [Decision]
    /// Unfinished multipart uploads to abort (their keys).
    public var abortedUploads: [PendingUpload]
    /// Archived WAL that no kept backup needs (point-in-time recovery), set by the run that applies it.
    public var obsoleteWAL: [String] = []

    public init(
        backups: [StoredBackup],
        uploads: [PendingUpload] = [],
        keepLast: Int,
        maxAge: Duration?,
        now: Date,
        running: BackupID? = nil
    ) {
        var kept: [Decision] = []
        var removed: [Decision] = []
        let complete = backups.filter(\.hasManifest).sorted { $0.id > $1.id }
        for backup in backups.sorted(by: { $0.id > $1.id }) where !backup.hasManifest {
            if backup.id == running {
                kept.append(Decision(id: backup.id, reason: "this run's"))
            } else {
                removed.append(Decision(id: backup.id, reason: "incomplete: a run that did not finish (no manifest)"))
            }
        }
        for (index, backup) in complete.enumerated() {
            let age = now.timeIntervalSince(backup.id.startedAt)
            if index == 0 {
                kept.append(Decision(id: backup.id, reason: "the newest complete backup"))
            } else if index >= keepLast {
                removed.append(Decision(id: backup.id, reason: "beyond keep_last \(keepLast)"))
            } else if let maxAge, age > Double(maxAge.components.seconds) {
                removed.append(Decision(id: backup.id, reason: "older than max_age (\(Self.days(age)) old)"))
            } else {
                kept.append(
                    Decision(
                        id: backup.id,
                        reason: "within keep_last \(keepLast)" + (maxAge == nil ? "" : " and max_age")
                    )
                )
            }
        }
        self.kept = kept.sorted { $0.id > $1.id }
        self.removed = removed.sorted { $0.id > $1.id }
        self.abortedUploads = uploads.filter { upload in running.map { upload.backup != $0 } ?? true }
    }

    /// The plan with the inventory's `backup.keep_last` and `backup.max_age`.
    public init(
        backups: [StoredBackup],
        uploads: [PendingUpload] = [],
        settings: BackupSettings,
        now: Date,
        running: BackupID? = nil
    ) {
        self.init(
            backups: backups,
            uploads: uploads,
            keepLast: settings.keepLast,
            maxAge: settings.maxAge.map { .milliseconds($0.milliseconds) },
            now: now,
            running: running
        )
    }

    static func days(_ seconds: Double) -> String {
        let hours = Int(seconds / 3600)
        return hours >= 48 ? "\(hours / 24)d" : "\(hours)h"
    }
}

/// A multipart upload the store still holds open: its key, its upload id, and the backup it belongs to.
public struct PendingUpload: Sendable, Hashable {
    public var key: String
    public var uploadID: String
    public var backup: BackupID?

    public init(key: String, uploadID: String, backup: BackupID?) {
        self.key = key
        self.uploadID = uploadID
        self.backup = backup
    }
}
