import LurusRemote

/// Probes that read many resources of one kind with one command, where the command takes many names at
/// once: every service of a node in one `systemctl show` (about 8 ms each otherwise), every package in
/// one `dpkg-query`. A group's script prints the batch's markers itself, one section per member, exactly
/// as the members' own probes would have answered.
enum ProbeGroups {
    /// A group's script, and the resources (by index in the batch) it answers for.
    struct Group {
        var members: [Int]
        var probe: ShellScript
    }

    /// The groups of `resources` with more than one member; every other resource keeps its own probe.
    static func groups(of resources: [Resource]) -> [Group] {
        var services: [(Int, String)] = []
        var packages: [(Int, String)] = []
        for (index, resource) in resources.enumerated() {
            switch resource.kind {
            case .service(let service): services.append((index, service.name))
            case .package(let package): packages.append((index, package.name))
            default: continue
            }
        }
        var groups: [Group] = []
        if services.count > 1 { groups.append(self.group(services, "probe-services", Self.servicesScript)) }
        if packages.count > 1 { groups.append(self.group(packages, "probe-packages", Self.packagesScript)) }
        return groups
    }

    private static func group(_ members: [(Int, String)], _ name: String, _ script: String) -> Group {
        Group(
            members: members.map(\.0),
            probe: ShellScript(name, script, members.flatMap { [String($0.0), $0.1] })
        )
    }

    /// Arguments: index and unit name, for each service. `systemctl show` prints one block of properties
    /// per unit, in the order named, separated by an empty line; each block becomes that index's
    /// section. If systemd cannot answer at all, every unit reads as `LoadState=unknown`, as one alone
    /// would.
    static let servicesScript = """
        set -f
        indices= names=
        while [ $# -ge 2 ]; do indices="$indices $1"; names="$names
        $2"; shift 2; done
        IFS='
        '
        set -- $names
        IFS=' '
        if out=$(systemctl show -p LoadState -p UnitFileState -p ActiveState -p ConditionResult \\
            -p ConditionTimestampMonotonic -- "$@" 2>/dev/null); then
            printf '%s\\n' "$out" | awk -v indices="$indices" '
                BEGIN { split(indices, at, " "); n = 1; print "::lurus-probe " at[n]; gap = 0 }
                /^$/ { gap = 1; next }
                { if (gap) { n++; print "::lurus-probe " at[n]; gap = 0 } print }'
        else
            for i in $indices; do echo "::lurus-probe $i"; echo LoadState=unknown; done
        fi
        """

    /// Arguments: index and package name, for each package. One `dpkg-query` for all; each package's
    /// section is what the package probe prints (`status=` without spaces, `version=`), `status=un` for
    /// a package dpkg does not know.
    static let packagesScript = """
        set -f
        indices= names=
        while [ $# -ge 2 ]; do indices="$indices $1"; names="$names $2"; shift 2; done
        out=$(dpkg-query -W -f='${Package}|${db:Status-Abbrev}|${Version}\\n' -- $names 2>/dev/null)
        set -- $names
        for i in $indices; do
            echo "::lurus-probe $i"
            line='un|'
            while IFS= read -r entry; do
                case $entry in "$1|"*) line=${entry#*|}; break ;; esac
            done <<EOF
        $out
        EOF
            rest=${line%%|*} status=
            while [ -n "$rest" ]; do
                char=${rest%"${rest#?}"}; rest=${rest#?}
                [ "$char" = ' ' ] || status=$status$char
            done
            echo "status=$status"
            echo "version=${line#*|}"
            shift
        done
        """
}
