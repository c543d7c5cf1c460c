import LurusInventory

/// The `tailscale up` command line of one node, and the state its check expects afterwards.
///
/// Every flag lurusctl cares about is written out on every run: `tailscale up` keeps no memory of flags
/// and refuses a run that leaves out one set before. `--reset` is not used, so a setting somebody made by
/// hand (`--ssh`, say) makes `tailscale up` fail with Tailscale's own message naming it, rather than being
/// dropped silently.
struct TailscaleUp {
    var node: String
    var settings: TailscaleSettings
    var authKeyPath: String

    /// How long `tailscale up` may wait for the node to come up (a wrong or used-up key would wait forever).
    static let waitSeconds = 120

    /// The ACL tags as `tailscale up` and the check take them: sorted (byte order), joined by commas.
    var tags: String {
        self.settings.tags.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }.joined(separator: ",")
    }

    var arguments: [String] {
        [
            "tailscale", "up",
            "--auth-key=file:\(self.authKeyPath)",
            "--hostname=\(self.node)",
            "--advertise-tags=\(self.tags)",
            "--accept-dns=false",
            "--timeout=\(Self.waitSeconds)s",
        ]
    }

    /// The arguments of `templates/tailscale/status-check.sh`: the hostname and the tags.
    var expectedState: [String] { [self.node, self.tags] }
}
