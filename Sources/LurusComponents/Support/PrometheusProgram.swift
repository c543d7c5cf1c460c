import LurusEngine
import LurusInventory
import LurusRemote

/// A program of the Prometheus project (Prometheus, Alertmanager, the node exporter) installed as
/// `components.NAME.source` says: Debian's package (`debian`, pinned by a version prefix), or the project's
/// GitHub release archive of `versions.NAME` (`official`), accepted only with `components.NAME.sha256` and
/// unpacked into a folder of its own per version and digest, so an upgrade never overwrites the running one.
///
/// Either way the program runs under lurusctl's own systemd unit (in /etc/systemd/system, over Debian's),
/// with the flags written out, as the `prometheus` user Debian's packages also use.
struct PrometheusProgram {
    /// The project's repository and archive name: `prometheus`, `alertmanager`, `node_exporter`.
    var project: String
    var debianPackage: String
    /// What the archive's version is pinned as, e.g. `2.55.1`.
    var version: String
    var official: Official?

    static let user = "prometheus"
    static let downloads = "/var/cache/lurus/downloads"
    static let programs = "/opt/lurus"

    struct Official {
        var sha256: String
        /// The project's platform name: `linux-amd64` or `linux-arm64`.
        var platform: String
    }

    /// `NAME-VERSION.PLATFORM`, the archive's name and its top folder.
    var archiveName: String { "\(self.project)-\(self.version).\(self.official?.platform ?? "")" }

    var url: String {
        "https://github.com/prometheus/\(self.project)/releases/download/v\(self.version)/\(self.archiveName).tar.gz"
    }

    var checksumURL: String {
        "https://github.com/prometheus/\(self.project)/releases/download/v\(self.version)/sha256sums.txt"
    }

    /// Where the unpacked release lives: versioned and with the digest's start.
    var directory: String { "\(Self.programs)/\(self.archiveName)-\(self.official?.sha256.prefix(12) ?? "")" }

    /// The path of one of the program's binaries (`prometheus`, `promtool`, `amtool`, ...); `debian` is
    /// its name in Debian's package when that differs (`prometheus-alertmanager`).
    func binary(_ name: String, debian: String? = nil) -> String {
        self.official == nil ? "/usr/bin/\(debian ?? name)" : "\(self.directory)/\(name)"
    }

    /// What makes the program present, and the resource whose change means the program changed.
    func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], changes: [ResourceID]) {
        guard let official = self.official else {
            let package = Package(self.debianPackage, version: self.version)
            return ([.package(package)], [package.id])
        }
        let archive = Download(
            url: self.url,
            sha256: official.sha256,
            path: "\(Self.downloads)/\(self.archiveName).tar.gz",
            mode: 0o644
        )
        let script = try context.templates.render("prometheus/unpack.sh", [:])
        let arguments = [archive.path, self.directory, self.project]
        let unpack = Command(
            "unpack \(self.archiveName)",
            ShellScript("unpack-release", script, arguments).command,
            unless: ShellScript("unpack-release", script, arguments + ["check"]).command,
            timeout: .seconds(120)
        )
        return (
            [
                .group(Group(Self.user)),
                .user(User(Self.user, home: "/var/lib/prometheus")),
                .directory(Directory(path: "/var/cache/lurus")),
                .directory(Directory(path: Self.downloads)),
                .directory(Directory(path: Self.programs)),
                .download(archive),
                .command(unpack),
            ],
            [archive.id, unpack.id]
        )
    }

    /// The folders Prometheus and Alertmanager share (`/etc/prometheus`, `/var/lib/prometheus`, as Debian's
    /// packages lay them out) and the program's own data folder in the second, owned by its user.
    static func folders(data: String) -> [Resource.Kind] {
        [
            .directory(Directory(path: "/etc/prometheus")),
            .directory(Directory(path: "/var/lib/prometheus", owner: self.user, group: self.user)),
            .directory(Directory(path: data, owner: self.user, group: self.user)),
        ]
    }

    /// The program for the component of `context`, or an error saying what to set and where to find it.
    static func of(_ context: ComponentContext, project: String, debianPackage: String) throws -> PrometheusProgram {
        let version = try context.version()
        guard context.text("source") == "official" else {
            return PrometheusProgram(project: project, debianPackage: debianPackage, version: version)
        }
        let bare = version.hasPrefix("v") ? String(version.dropFirst()) : version
        let machine = context.facts.architecture
        let platform: String? =
            switch machine {
            case "x86_64", "amd64": "linux-amd64"
            case "aarch64", "arm64": "linux-arm64"
            default: nil
            }
        guard let platform else {
            throw context.error(
                machine.isEmpty
                    ? "this node's architecture is unknown (its facts were not read)"
                    : "the Prometheus project publishes no Linux archive for this node's architecture \(machine)",
                hint: machine.isEmpty
                    ? "check that lurusctl can reach the node"
                    : "place \(context.component.name) on an x86_64 or aarch64 node, or set source: debian"
            )
        }
        var program = PrometheusProgram(project: project, debianPackage: debianPackage, version: bare)
        program.official = Official(sha256: context.text("sha256").lowercased(), platform: platform)
        guard !context.text("sha256").isEmpty else {
            throw context.error(
                "components.\(context.component.name).sha256 is not set: the release archive is accepted only with its sha256",
                hint: "set it to the line for \(program.archiveName).tar.gz in \(program.checksumURL), "
                    + "in \(context.inventory.path)"
            )
        }
        return program
    }
}
