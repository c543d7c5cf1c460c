/// Every key the inventory accepts, as dotted paths (`nodes.<name>.ssh.proxy_jump`,
/// `components.redis.maxmemory`). `doc/inventory.md` documents each; a test keeps the two in step.
public enum InventorySchema {
    public static var keyPaths: [String] {
        var paths = Inventory.keys
        paths += SSHSettings.keys.map { "ssh.\($0)" }
        paths += TailscaleSettings.keys.map { "mesh.\($0)" }
        paths += Component.versionKeys.map { "versions.\($0)" }
        paths.append("secrets.<name>")
        paths += Node.keys.map { "nodes.<name>.\($0)" }
        paths += SSHSettings.keys.map { "nodes.<name>.ssh.\($0)" }
        for component in Component.allCases {
            paths += component.settingSpecs.map { "components.\(component.rawValue).\($0.key)" }
        }
        paths += BackupSettings.keys.map { "backup.\($0)" }
        paths += BackupSettings.S3Destination.keys.map { "backup.destination.\($0)" }
        paths += HealthSettings.keys.map { "health.\($0)" }
        paths += DeploySettings.keys.map { "deploy.\($0)" }
        paths += AlertingSettings.keys.map { "alerting.\($0)" }
        paths += AlertingSettings.receiverKeys.map { "alerting.receivers.<name>.\($0)" }
        paths += AlertingSettings.routeKeys.map { "alerting.routes[].\($0)" }
        paths += AlertingSettings.Email.keys.map { "alerting.email.\($0)" }
        return paths
    }
}
