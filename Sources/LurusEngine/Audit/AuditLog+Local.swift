import Foundation

extension AuditLog {
    /// The local log of the cluster whose state directory is `state`.
    public static func localPath(state: StateDirectory) -> String { state.file("audit.jsonl") }

    /// Appends `record` to the local log (0600, in the 0700 state directory) with one `O_APPEND` write, so
    /// that two runs never interleave their lines.
    public static func appendLocal(_ record: AuditRecord, state: StateDirectory) throws {
        let path = self.localPath(state: state)
        let line = try record.jsonLine()
        do {
            try state.prepare()
        } catch {
            throw AuditError("cannot create \(state.path): \(error.localizedDescription)", hint: "check it is writable")
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw AuditError("cannot open \(path): \(String(cString: strerror(errno)))", hint: "check it is yours")
        }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw AuditError(
                "cannot append to \(path): \(String(cString: strerror(errno)))",
                hint: "check the disk has room"
            )
        }
        fchmod(descriptor, 0o600)
    }

    /// The last `count` records of the local log (none when there is no log yet).
    public static func readLocal(state: StateDirectory, last count: Int) throws -> AuditEntries {
        let path = self.localPath(state: state)
        guard FileManager.default.fileExists(atPath: path) else { return AuditEntries(records: [], skippedLines: 0) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError("cannot read \(path)", hint: "check its permissions")
        }
        return AuditEntries.decode(Array(data), last: count)
    }
}
