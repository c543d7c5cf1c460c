import Foundation
import LurusEngine
import LurusInventory
import LurusRemote

/// How K3s gets onto a node (`components.k3s-server.install`, for server and agents alike).
///
/// - `script`: get.k3s.io's script, pinned to `versions.k3s`; it runs while the installed binary is
///   another version, so changing the version upgrades the node (agents one at a time, after the server).
/// - `airgap`: the `k3s` binary and `install.sh` from `airgap_dir` on the control machine, read at plan time
///   and pushed as files (with `k3s-airgap-images-*.tar*` when the folder holds one), then the script runs
///   with `INSTALL_K3S_SKIP_DOWNLOAD=true`; it runs again whenever the binary or script changes.
struct K3sInstall {
    static let binaryPath = "/usr/local/bin/k3s"
    static let scriptPath = "/opt/lurus/k3s/install.sh"
    static let imagesDirectory = "/var/lib/rancher/k3s/agent/images"

    var context: ComponentContext
    var role: K3sRole
    var version: String
    /// `components.k3s-server`'s settings.
    var settings: ComponentSettings

    /// The resources that install K3s, last the command running the install script.
    func resources() throws -> [Resource.Kind] {
        switch self.settings["install"]?.description ?? "script" {
        case "airgap": return try self.airgap()
        default: return [.command(try self.script())]
        }
    }

    func script() throws -> Command {
        Command(
            "install k3s \(self.role.rawValue)",
            ShellScript("k3s-install", try self.render("install-script.sh"), [self.version, self.role.rawValue])
                .command,
            unless: ShellScript(
                "k3s-version",
                try self.render("version-check.sh"),
                [self.role.unitPath, self.version]
            ).command,
            timeout: .seconds(600)
        )
    }

    func airgap() throws -> [Resource.Kind] {
        let folder = self.settings["airgap_dir"]?.description ?? ""
        guard !folder.isEmpty else {
            throw self.context.error(
                "install: airgap needs a folder with the K3s files",
                hint: "set components.k3s-server.airgap_dir to a folder holding k3s and install.sh"
            )
        }
        let binary = File(path: Self.binaryPath, content: try self.read("k3s", in: folder), mode: 0o755)
        let script = File(path: Self.scriptPath, content: try self.read("install.sh", in: folder), mode: 0o755)
        var resources: [Resource.Kind] = [
            .directory(Directory(path: "/opt/lurus/k3s")),
            .file(binary),
            .file(script),
        ]
        if let images = self.imagesArchive(in: folder) {
            resources.append(.directory(Directory(path: Self.imagesDirectory)))
            resources.append(
                .file(
                    File(
                        path: "\(Self.imagesDirectory)/\(images)",
                        content: try self.read(images, in: folder),
                        mode: 0o644
                    )
                )
            )
        }
        resources.append(
            .command(
                Command(
                    "install k3s \(self.role.rawValue)",
                    ShellScript(
                        "k3s-install",
                        try self.render("airgap-install.sh"),
                        [script.path, self.version, self.role.rawValue]
                    ).command,
                    unless: ShellScript(
                        "k3s-current",
                        try self.render("airgap-check.sh"),
                        [self.role.unitPath, self.role.service]
                    ).command,
                    refreshOn: [binary.id, script.id],
                    timeout: .seconds(600)
                )
            )
        )
        return resources
    }

    /// The bytes of `name` in the control machine's `folder`, or an error naming what is missing.
    func read(_ name: String, in folder: String) throws -> [UInt8] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw self.context.error(
                "components.k3s-server.airgap_dir \(folder) is not a folder on this machine",
                hint: "create it with k3s (the release binary of \(self.version)) and install.sh (from get.k3s.io)"
            )
        }
        let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw self.context.error(
                "cannot read \(path) for the air-gapped K3s install",
                hint: name == "k3s"
                    ? "put the k3s binary of \(self.version) (from K3s's GitHub release) there"
                    : "put get.k3s.io's install script there as \(name)"
            )
        }
        return Array(data)
    }

    /// The name of the first `k3s-airgap-images-*.tar*` in `folder`, if any.
    func imagesArchive(in folder: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().first { $0.hasPrefix("k3s-airgap-images-") && $0.contains(".tar") }
    }

    func render(_ template: String) throws -> String {
        try self.context.templates.render("k3s/\(template)", [:])
    }
}
