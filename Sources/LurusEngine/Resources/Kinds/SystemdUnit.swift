import LurusRemote

/// A systemd unit file in `/etc/systemd/system`; systemd re-reads its units after a change.
public struct SystemdUnit: ResourceSpec, Hashable {
    public var name: String
    public var content: String

    public init(name: String, content: String) {
        self.name = name
        self.content = content
    }

    public var id: ResourceID { ResourceID(kind: "unit", name: self.name) }

    var file: File { File(path: "/etc/systemd/system/\(self.name)", text: self.content) }

    var probe: ShellScript { self.file.probe }

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        self.file.compare(with: observed, changed: changed)
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        self.file.apply(difference) + [.run(ShellScript("daemon-reload", "systemctl daemon-reload").command)]
    }
}
