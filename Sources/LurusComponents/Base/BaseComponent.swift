import LurusEngine
import LurusInventory
import LurusRemote

/// `base`, on every node: hostname, the cluster's names in `/etc/hosts`, essential packages, time sync,
/// journal limits, the kernel settings K3s needs, and the `lurus` directories.
struct BaseComponent: ComponentDefinition {
    var inventory: Inventory
    var node: Node
    var facts: NodeFacts
    var templates: TemplateLibrary
    var mesh: MeshAddresses

    static func secretNames(inventory: Inventory, node: Node) -> [SecretNeed] { [] }

    static func resources(_ context: ComponentContext) throws -> (resources: [Resource.Kind], notices: [String]) {
        try BaseComponent(
            inventory: context.inventory,
            node: context.node,
            facts: context.facts,
            templates: context.templates,
            mesh: context.mesh
        ).resources()
    }

    /// zstd: backups compress with it on the nodes (`lurusctl backup`).
    static let packages = ["ca-certificates", "curl", "chrony", "zstd"]

    /// Kernel settings K3s needs or recommends (forwarding for pod traffic, bridged traffic through
    /// iptables, the kubelet's protect-kernel-defaults values, inotify room for many pods).
    static let kernelSettings: [(key: String, value: String)] = [
        ("net.ipv4.ip_forward", "1"),
        ("net.ipv6.conf.all.forwarding", "1"),
        ("net.bridge.bridge-nf-call-iptables", "1"),
        ("net.bridge.bridge-nf-call-ip6tables", "1"),
        ("vm.overcommit_memory", "1"),
        ("vm.panic_on_oom", "0"),
        ("kernel.panic", "10"),
        ("kernel.panic_on_oops", "1"),
        ("fs.inotify.max_user_instances", "8192"),
        ("fs.inotify.max_user_watches", "524288"),
    ]
    static let kernelModules = ["overlay", "br_netfilter"]

    /// Directories every later component and lurusctl itself use.
    static let directories: [(path: String, mode: Int)] = [
        ("/etc/lurus", 0o755),
        ("/etc/lurus/secrets", 0o700),
        ("/var/lib/lurus", 0o700),
        ("/var/log/lurus", 0o700),
        ("/opt/lurus", 0o755),
    ]

    func resources() throws -> (resources: [Resource.Kind], notices: [String]) {
        var resources: [Resource.Kind] = []
        var notices: [String] = []
        // Identity.
        resources.append(.file(File(path: "/etc/hostname", text: "\(self.node.name)\n")))
        resources.append(
            .command(
                Command(
                    "set hostname \(self.node.name)",
                    ShellCommand(["hostname", self.node.name]),
                    unless: ShellScript("hostname-check", "[ \"$(hostname)\" = \"$1\" ]", [self.node.name]).command
                )
            )
        )
        resources.append(.fileBlock(FileBlock(path: "/etc/hosts", name: "nodes", lines: self.hostsLines)))
        // Layout.
        for directory in Self.directories {
            resources.append(.directory(Directory(path: directory.path, mode: directory.mode)))
        }
        let node = try self.templates.render(
            "base/node",
            [
                "cluster": self.inventory.cluster,
                "node": self.node.name,
                "components": self.inventory.components(on: self.node).map(\.name).joined(separator: ","),
            ]
        )
        resources.append(.file(File(path: "/etc/lurus/node", text: node)))
        // Packages and time.
        for name in Self.packages { resources.append(.package(Package(name))) }
        // Encrypted backups are sealed with age on the nodes.
        if let backup = self.inventory.backup, !backup.encryptTo.isEmpty { resources.append(.package(Package("age"))) }
        resources.append(.service(Service("chrony")))
        // Journal.
        let journald = try self.templates.render(
            "base/journald.conf",
            ["system_max_use": "1G", "system_keep_free": "2G", "max_retention": "1month"]
        )
        let journaldFile = File(path: "/etc/systemd/journald.conf.d/50-lurus.conf", text: journald)
        resources.append(.directory(Directory(path: "/etc/systemd/journald.conf.d")))
        resources.append(.file(journaldFile))
        resources.append(.service(Service("systemd-journald", restartOn: [journaldFile.id])))
        // Kernel.
        if self.facts.isContainer {
            // Inside a container /proc/sys is read-only but for the network namespace's own net.* keys,
            // and kernel modules belong to the host.
            let writable = Self.kernelSettings.filter { $0.key.hasPrefix("net.ipv4.") || $0.key.hasPrefix("net.ipv6.") }
            for setting in writable { resources.append(.sysctl(Sysctl(setting.key, setting.value))) }
            let skipped = Self.kernelSettings.filter { !writable.map(\.key).contains($0.key) }.map(\.key)
            notices.append(
                "inside a container (\(self.facts.container)): kernel settings \(skipped.joined(separator: ", ")) "
                    + "and modules \(Self.kernelModules.joined(separator: ", ")) are the host's; skipped"
            )
        } else {
            let modules = try self.templates.render("base/modules-k3s.conf", ["modules": Self.kernelModules])
            resources.append(.file(File(path: "/etc/modules-load.d/lurus-k3s.conf", text: modules)))
            resources.append(
                .command(
                    Command(
                        "load kernel modules",
                        ShellCommand(["modprobe", "-a"] + Self.kernelModules),
                        unless: ShellScript(
                            "modules-loaded",
                            "[ -d /sys/module/overlay ] && [ -d /sys/module/br_netfilter ]"
                        ).command
                    )
                )
            )
            for setting in Self.kernelSettings { resources.append(.sysctl(Sysctl(setting.key, setting.value))) }
        }
        return (resources, notices)
    }

    /// `ADDRESS NAME` for every node, by the address other nodes reach it at: its mesh address once known.
    var hostsLines: [String] {
        self.inventory.nodes.map { node in
            let address = self.mesh.address(of: node) ?? (node.privateAddress ?? node.address).description
            return "\(address) \(node.name)"
        }
    }
}
