import LurusEngine
import LurusInventory
import LurusRemote

/// A program of the Prometheus project (Prometheus, Alertmanager, the node exporter) installed as
/// `components.NAME.source` says: Debian's package (`debian`, pinned by a version prefix), or the project's
/// GitHub release archive of `versions.NAME` (`official`, a `ReleaseArchive`), accepted only with
/// `components.NAME.sha256`.
///
/// Either way the program runs under lurusctl's own systemd unit (in /etc/systemd/system, over Debian's),
/// with the flags written out, as the `prometheus` user Debian's packages also use.
struct PrometheusProgram {
    /// The project's repository and archive name: `prometheus`, `alertmanager`, `node_exporter`.
    var project: String
    var debianPackage: String
    /// What the archive's version is pinned as, e.g. `2.55.1`.
    var version: String
    var archive: ReleaseArchive?

    static let user = "prometheus"

    /// The path of one of the program's binaries (`prometheus`, `promtool`, `amtool`, ...); `debian` is
    /// its name in Debian's package when that differs (`prometheus-alertmanager`).
    func binary(_ name: String, debian: String? = nil) -> String {
        self.archive?.path(name) ?? "/usr/bin/\(debian ?? name)"
    }

    /// What makes the program present, and the resource whose change means the program changed.
    func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], changes: [ResourceID]) {
        guard let archive = self.archive else {
            let package = Package(self.debianPackage, version: self.version)
            return ([.package(package)], [package.id])
        }
        let unpacked = try archive.resources(context)
        return (
            [.group(Group(Self.user)), .user(User(Self.user, home: "/var/lib/prometheus"))] + unpacked.resources,
            unpacked.changes
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
        let platform = try ReleaseArchive.platform(
            context,
            publisher: "the Prometheus project",
            alternative: ", or set source: debian"
        )
        let name = "\(project)-\(bare).\(platform)"
        let tag = "v\(bare)"
        let digest = try ReleaseArchive.sha256(
            context,
            archive: name,
            whereToFind: "its line in https://github.com/prometheus/\(project)/releases/download/\(tag)/sha256sums.txt"
        )
        var program = PrometheusProgram(project: project, debianPackage: debianPackage, version: bare)
        program.archive = ReleaseArchive(
            repository: "prometheus/\(project)",
            name: name,
            tag: tag,
            sha256: digest,
            binary: project
        )
        return program
    }
}
