import LurusRemote

/// A third-party apt repository: its signing key in `/etc/apt/keyrings/NAME.asc` and a deb822 source in
/// `/etc/apt/sources.list.d/NAME.sources` that trusts only that key (`Signed-By`). Package lists are
/// refreshed after either changes.
public struct AptRepository: ResourceSpec, Hashable {
    public var name: String
    public var uris: String
    public var suites: String
    public var components: String
    /// The repository's public key, ASCII-armored, as the vendor publishes it.
    public var signingKey: String

    public init(name: String, uris: String, suites: String, components: String, signingKey: String) {
        self.name = name
        self.uris = uris
        self.suites = suites
        self.components = components
        self.signingKey = signingKey
    }

    public var id: ResourceID { ResourceID(kind: "apt-repository", name: self.name) }

    var keyFile: File { File(path: "/etc/apt/keyrings/\(self.name).asc", text: self.signingKey) }

    var sourceFile: File {
        File(
            path: "/etc/apt/sources.list.d/\(self.name).sources",
            text: """
                Types: deb
                URIs: \(self.uris)
                Suites: \(self.suites)
                Components: \(self.components)
                Signed-By: \(self.keyFile.path)

                """
        )
    }

    var probe: ShellScript {
        ShellScript(
            "probe-apt-repository",
            """
            sum() { if [ -f "$1" ]; then sha256sum < "$1" | cut -d ' ' -f 1; else echo absent; fi; }
            echo "key=$(sum "$1")"
            s=$(sum "$3")
            echo "source=$s"
            if [ "$s" != "$4" ] && [ -f "$3" ]; then printf 'source-content='; base64 -w 0 < "$3"; echo; fi
            """,
            [self.keyFile.path, self.keyFile.sha256, self.sourceFile.path, self.sourceFile.sha256]
        )
    }

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let keySame = observed["key"] == self.keyFile.sha256
        let sourceSame = observed["source"] == self.sourceFile.sha256
        if keySame && sourceSame { return .none }
        if observed["key"] == "absent" && observed["source"] == "absent" {
            return Difference(.create, details: [self.uris])
        }
        var details: [String] = []
        if !keySame { details.append("signing key") }
        var content: ContentChange?
        if !sourceSame {
            details.append("source")
            let before = observed.bytes("source-content").map { String(decoding: $0, as: UTF8.self) } ?? ""
            content = .text(before: before, after: String(decoding: self.sourceFile.content, as: UTF8.self))
        }
        return Difference(.change, details: details, content: content)
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        [
            .run(ShellScript("make-keyrings", "install -d -m 0755 /etc/apt/keyrings").command),
            self.keyFile.apply(Difference(.create)).first!,
            self.sourceFile.apply(Difference(.create)).first!,
            .run(ShellScript("apt-update", "apt-get update -q -o DPkg::Lock::Timeout=300").command),
        ]
    }
}
