/// What each supported Debian release is called and ships, by `VERSION_ID` from the node's facts.
enum DebianRelease {
    static let codenames = ["11": "bullseye", "12": "bookworm", "13": "trixie"]

    /// The PostgreSQL major version in each release's own archive.
    static let postgresMajor = ["11": "13", "12": "15", "13": "17"]

    /// The codename of the node's release, for third-party apt repositories.
    static func codename(of context: ComponentContext) throws -> String {
        guard context.facts.osID == "debian", let name = self.codenames[context.facts.osVersion] else {
            throw context.error(
                "cannot add \(context.component.name)'s apt repository for "
                    + "\(context.facts.osID) \(context.facts.osVersion)",
                hint: "lurusctl supports Debian \(self.codenames.keys.sorted().joined(separator: ", "))"
            )
        }
        return name
    }
}
