import ArgumentParser
import Foundation
import LurusBackup

extension Backup {
    /// `lurusctl backup list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the cluster's backups in the store, oldest first.",
            discussion: """
                A backup is complete only with its manifest; an incomplete one is a run that did not finish \
                (the next backup removes it). Exits 1 if the store cannot be read.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print one JSON object per backup (one per line).")
        var json = false

        func run() async throws {
            let logger = self.global.makeLogger()
            let session = try await BackupSession.load(self.global, logger: logger)
            let json = self.json
            do {
                let listed = try await session.with(
                    logger: logger,
                    segmentBytes: ComponentJobs.defaultSegmentBytes,
                    say: { _ in },
                    { run, _ in try await CheckRun(run).list() }
                )
                if json {
                    for entry in listed {
                        Terminal.standardOutput.write((try? JSONLine.encode(.event("backup", Self.json(entry)))) ?? "")
                    }
                    return
                }
                guard !listed.isEmpty else {
                    Terminal.standardError.write("no backups of \(session.inventory.cluster) in the store yet")
                    return
                }
                var columns = Columns("ID", "STATUS", "SIZE", "OBJECTS", "COMPONENTS")
                for entry in listed {
                    let status = entry.manifest != nil ? "complete" : entry.problem != nil ? "unreadable" : "incomplete"
                    columns.add(
                        entry.stored.id.text,
                        status,
                        entry.manifest.map { ByteCount.text($0.storedBytes) } ?? "-",
                        String(entry.manifest?.objects.count ?? entry.stored.keys.count),
                        entry.manifest?.components.map { "\($0.component.rawValue)@\($0.node)" }.joined(separator: ",")
                            ?? "-"
                    )
                }
                Terminal.standardOutput.write(columns.rendered)
                for entry in listed where entry.problem != nil {
                    Terminal.standardError.write("warning: \(entry.stored.id): \(entry.problem ?? "")")
                }
            } catch let error as BackupError {
                Terminal.standardError.write(session.redactor.redact("error: \(error)"))
                throw ExitCode(1)
            }
        }

        struct Entry: Encodable {
            var id: String
            var complete: Bool
            var bytes: Int64?
            var objects: Int
            var components: [String]
            var problem: String?
        }

        static func json(_ entry: CheckRun.Listed) -> Entry {
            Entry(
                id: entry.stored.id.text,
                complete: entry.manifest != nil,
                bytes: entry.manifest?.storedBytes,
                objects: entry.manifest?.objects.count ?? entry.stored.keys.count,
                components: entry.manifest?.components.map(\.component.rawValue) ?? [],
                problem: entry.problem
            )
        }
    }
}
