import LurusEngine
import LurusInventory
import LurusRemote

/// A program's GitHub release archive, pinned by version and sha256 (`components.NAME.sha256`): downloaded
/// into `/var/cache/lurus/downloads`, accepted only when its digest matches, and unpacked into a folder of
/// its own per version and digest under `/opt/lurus`, through a `.partial` folder beside it. An upgrade
/// never overwrites the running binary, and an interrupted unpack leaves nothing a rerun cannot finish.
struct ReleaseArchive {
    /// `OWNER/NAME` on GitHub: `prometheus/alertmanager`, `jaegertracing/jaeger`.
    var repository: String
    /// The archive's name without `.tar.gz`, which is also its top folder.
    var name: String
    /// The release's tag: `v2.55.1`.
    var tag: String
    var sha256: String
    /// The binary whose presence means the archive is unpacked.
    var binary: String

    static let downloads = "/var/cache/lurus/downloads"
    static let programs = "/opt/lurus"

    var url: String { "https://github.com/\(self.repository)/releases/download/\(self.tag)/\(self.name).tar.gz" }

    /// Where the unpacked release lives: versioned and with the digest's start.
    var directory: String { "\(Self.programs)/\(self.name)-\(self.sha256.prefix(12))" }

    /// The path of one of the archive's binaries.
    func path(_ binary: String) -> String { "\(self.directory)/\(binary)" }

    /// The download and the unpack, and the resources whose change means the program changed.
    func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], changes: [ResourceID]) {
        let archive = Download(
            url: self.url,
            sha256: self.sha256,
            path: "\(Self.downloads)/\(self.name).tar.gz",
            mode: 0o644
        )
        let script = try context.templates.render("support/unpack-release.sh", [:])
        let arguments = [archive.path, self.directory, self.binary]
        let unpack = Command(
            "unpack \(self.name)",
            ShellScript("unpack-release", script, arguments).command,
            unless: ShellScript("unpack-release", script, arguments + ["check"]).command,
            timeout: .seconds(120)
        )
        return (
            [
                .directory(Directory(path: "/var/cache/lurus")),
                .directory(Directory(path: Self.downloads)),
                .directory(Directory(path: Self.programs)),
                .download(archive),
                .command(unpack),
            ],
            [archive.id, unpack.id]
        )
    }

    /// The release platform of the node of `context` (`linux-amd64`, `linux-arm64`), or an error naming
    /// its architecture; `publisher` is who publishes the archives, for the message.
    static func platform(_ context: ComponentContext, publisher: String, alternative: String) throws -> String {
        let machine = context.facts.architecture
        switch machine {
        case "x86_64", "amd64": return "linux-amd64"
        case "aarch64", "arm64": return "linux-arm64"
        default:
            throw context.error(
                machine.isEmpty
                    ? "this node's architecture is unknown (its facts were not read)"
                    : "\(publisher) publishes no Linux archive for this node's architecture \(machine)",
                hint: machine.isEmpty
                    ? "check that lurusctl can reach the node"
                    : "place \(context.component.name) on an x86_64 or aarch64 node\(alternative)"
            )
        }
    }

    /// `components.NAME.sha256`, lower-cased, or an error saying where to find it.
    static func sha256(_ context: ComponentContext, archive: String, whereToFind: String) throws -> String {
        let digest = context.text("sha256").lowercased()
        guard !digest.isEmpty else {
            throw context.error(
                "components.\(context.component.name).sha256 is not set: the release archive is accepted only with its sha256",
                hint: "set it to the sha256 of \(archive).tar.gz (\(whereToFind)), in \(context.inventory.path)"
            )
        }
        return digest
    }
}
