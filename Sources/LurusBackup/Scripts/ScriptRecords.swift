/// What a component's backup script printed, read into its part of the manifest. The scripts print one
/// tab-separated record per line (`templates/backup/*-backup.sh`):
///
/// - `version TEXT`: the server's version;
/// - `object CONTENT DATABASE TABLE NAME BYTES SHA256`: one stored segment, NAME under the backup's folder;
/// - `engine DATABASE TABLE ENGINE`: a ClickHouse table's engine;
/// - `column DATABASE TABLE NAME TYPE`: a stored ClickHouse column, in the dump's order;
/// - `table DATABASE TABLE ROWS HASH`: a table's row count and content hash, from its dump's snapshot;
/// - `wal SYSTEM SEGMENT`: PostgreSQL's system identifier and WAL segment when its base backup started.
///
/// Pure: a line it cannot read is an error naming the line, never skipped.
public enum ScriptRecords {
    public static func component(
        _ component: BackupComponent,
        node: String,
        method: String,
        output: String
    ) throws(BackupError) -> ComponentBackup {
        var version = ""
        var objects: [BackupObject] = []
        var engines: [String: String] = [:]
        var columns: [String: [TableColumn]] = [:]
        var tables: [TableSnapshot] = []
        var walStart: String?
        var systemIdentifier: String?
        for (index, line) in output.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func bad(_ why: String) -> BackupError {
                BackupError(
                    "\(component.rawValue) on \(node): line \(index + 1) of the backup script's output \(why): \(line.prefix(200))"
                )
            }
            switch (fields.first, fields.count) {
            case ("version", 2):
                version = fields[1]
            case ("object", 7):
                guard let content = BackupObject.Content(rawValue: fields[1]) else {
                    throw bad("names no known content")
                }
                guard let bytes = Int64(fields[5]), bytes >= 0 else { throw bad("has no size") }
                guard fields[6].count == 64, fields[6].allSatisfy(\.isHexDigit) else { throw bad("has no SHA-256") }
                objects.append(
                    BackupObject(
                        key: fields[4],
                        content: content,
                        database: fields[2].isEmpty ? nil : fields[2],
                        table: fields[3].isEmpty ? nil : fields[3],
                        bytes: bytes,
                        sha256: fields[6].lowercased()
                    )
                )
            case ("engine", 4):
                engines["\(fields[1]).\(fields[2])"] = fields[3]
            case ("column", 5):
                columns["\(fields[1]).\(fields[2])", default: []].append(TableColumn(name: fields[3], type: fields[4]))
            case ("table", 5):
                guard let rows = Int64(fields[3]), rows >= 0 else { throw bad("has no row count") }
                tables.append(TableSnapshot(database: fields[1], table: fields[2], rows: rows, contentHash: fields[4]))
            case ("wal", 3):
                guard !fields[1].isEmpty, fields[1].allSatisfy(\.isNumber) else {
                    throw bad("has no system identifier")
                }
                guard WALSegment(fields[2]) != nil else { throw bad("names no WAL segment") }
                systemIdentifier = fields[1]
                walStart = fields[2]
            default:
                throw bad("is not a record")
            }
        }
        for index in objects.indices where objects[index].content == .clickhouseSchema {
            let object = objects[index]
            objects[index].engine = engines["\(object.database ?? "").\(object.table ?? "")"]
        }
        for index in tables.indices {
            tables[index].columns = columns["\(tables[index].database).\(tables[index].table)"]
        }
        guard !version.isEmpty else {
            throw BackupError("\(component.rawValue) on \(node): the backup script did not say the server's version")
        }
        var part = ComponentBackup(
            component: component,
            node: node,
            serverVersion: version,
            method: method,
            objects: objects,
            tables: tables
        )
        part.walStart = walStart
        part.systemIdentifier = systemIdentifier
        return part
    }
}
