import LurusRemote

/// A Debian package, optionally pinned: `version` is a prefix of the installed version (`15` matches
/// `15.8-0+deb12u1`) and installs as `NAME=VERSION*`.
public struct Package: ResourceSpec, Hashable {
    public var name: String
    public var version: String?
    public var ensure: Ensure

    public init(_ name: String, version: String? = nil, ensure: Ensure = .present) {
        self.name = name
        self.version = version
        self.ensure = ensure
    }

    public var id: ResourceID { ResourceID(kind: "package", name: self.name) }

    var probe: ShellScript { ShellScript("probe-package", Self.probeScript, [self.name]) }

    /// `status=` is dpkg's two-letter abbreviation (`ii` installed, `rc` removed with configuration left).
    static let probeScript = """
        out=$(dpkg-query -W -f='${db:Status-Abbrev}|${Version}' -- "$1" 2>/dev/null) || out='un|'
        echo "status=$(printf '%s' "${out%%|*}" | tr -d ' ')"
        echo "version=${out#*|}"
        """

    var installArgument: String {
        if let version { return "\(self.name)=\(version)*" }
        return self.name
    }

    func compare(with observed: ObservedState, changed: Set<ResourceID>) -> Difference {
        let installed = observed["status"] == "ii"
        let current = observed["version"] ?? ""
        switch self.ensure {
        case .absent:
            return installed ? Difference(.remove, details: [current]) : .none
        case .present:
            guard installed else { return Difference(.create, details: self.version.map { ["\($0)*"] } ?? []) }
            if let version, !current.hasPrefix(version) {
                return Difference(.change, details: ["version \(current) -> \(version)*"])
            }
            return .none
        }
    }

    func apply(_ difference: Difference) -> [ApplyCommand] {
        if difference.action == .remove {
            return [
                .run(
                    ShellScript(
                        "apt-remove",
                        "DEBIAN_FRONTEND=noninteractive apt-get remove -y -q -o DPkg::Lock::Timeout=300 -- \"$1\"",
                        [self.name]
                    ).command
                )
            ]
        }
        return [.aptInstall([self.installArgument])]
    }
}

/// The one command that installs packages: refreshes the package lists when they are missing or older than
/// six hours (and once more when an install fails on stale lists), never asks, keeps changed conffiles.
enum AptInstall {
    static func command(_ packages: [String]) -> ShellScript {
        ShellScript("apt-install", self.script, packages)
    }

    static let script = """
        export DEBIAN_FRONTEND=noninteractive
        set -- -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 \\
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -- "$@"
        if ! find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -360 2>/dev/null | grep -q .; then
            apt-get update -q -o DPkg::Lock::Timeout=300 || exit 1
        fi
        apt-get "$@" && exit 0
        apt-get update -q -o DPkg::Lock::Timeout=300 && apt-get "$@"
        """
}
