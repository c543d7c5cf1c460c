import LurusRemote

/// A systemd service's state: enabled at boot, running now, and restarted (or reloaded) once when any of
/// the resources it depends on changed in this run, however many did.
public struct Service: ResourceSpec, Hashable {
    public var name: String
    public var enabled: Bool
    public var running: Bool
    /// Resources whose change needs a restart (a configuration file, the binary, the unit file).
    public var restartOn: [ResourceID]
    /// Resources whose change needs only a reload.
    public var reloadOn: [ResourceID]

    public init(
        _ name: String,
        enabled: Bool = true,
        running: Bool = true,
        restartOn: [ResourceID] = [],
        reloadOn: [ResourceID] = []
    ) {
        self.name = name
        self.enabled = enabled
        self.running = running
        self.restartOn = restartOn
        self.reloadOn = reloadOn
    }

    public var id: ResourceID { ResourceID(kind: "service", name: self.name) }

    var probe: ShellScript {
        ShellScript(
            "probe-service",
            "systemctl show -p LoadState -p UnitFileState -p ActiveState -p ConditionResult -p ConditionTimestampMonotonic -- \"$1\" 2>/dev/null || echo LoadState=unknown",
            [self.name]
        )
    }

    /// Unit file states that need no `systemctl enable`.
    static let enabledStates: Set<String> = ["enabled", "enabled-runtime", "static", "alias", "indirect", "generated"]

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let fileState = observed["UnitFileState"] ?? ""
        let active = observed["ActiveState"] == "active"
        var details: [String] = []
        var notice: String?
        if self.enabled && !Self.enabledStates.contains(fileState) { details.append("enable") }
        if !self.enabled && fileState == "enabled" { details.append("disable") }
        if self.running && !active {
            // A start condition systemd checked and found unmet (CAP_SYS_TIME inside a container, say) is
            // not drift: the service cannot run here, and starting it again would change nothing.
            let checked = (observed["ConditionTimestampMonotonic"] ?? "0") != "0"
            if observed["LoadState"] == "loaded", checked, observed["ConditionResult"] == "no" {
                notice =
                    "\(self.name) does not run on this node: its start condition is not met (e.g. inside a container)"
            } else {
                // A package installed in this same run may have started the service with its own defaults
                // already; `restart` (which also starts a stopped service) makes it read this run's files.
                let configured = (self.restartOn + self.reloadOn).contains(where: changed.contains)
                details.append(configured ? "restart" : "start")
            }
        }
        if !self.running && active { details.append("stop") }
        if !details.isEmpty { return Difference(.change, details: details, notice: notice) }
        if self.running && active {
            if let cause = self.restartOn.first(where: changed.contains) {
                return Difference(.restart, details: ["\(cause) changed"])
            }
            if let cause = self.reloadOn.first(where: changed.contains) {
                return Difference(.reload, details: ["\(cause) changed"])
            }
        }
        return Difference(.none, notice: notice)
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        switch difference.action {
        case .restart: return [self.systemctl("restart")]
        case .reload: return [self.systemctl("reload")]
        default: return difference.details.map(self.systemctl)
        }
    }

    private func systemctl(_ verb: String) -> ApplyCommand {
        .run(ShellScript("systemctl", "systemctl \"$1\" -- \"$2\"", [verb, self.name]).command)
    }
}
