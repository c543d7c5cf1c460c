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
        var services: [(Int, [String])] = []
        var packages: [(Int, [String])] = []
        var directories: [(Int, [String])] = []
        var files: [(Int, [String])] = []
        for (index, resource) in resources.enumerated() {
            switch resource.kind {
            case .service(let service): services.append((index, [service.name]))
            case .package(let package): packages.append((index, [package.name]))
            case .directory(let directory): directories.append((index, [directory.path]))
            case .file(let file):
                files.append((index, file.probe.arguments.map { String(decoding: $0, as: UTF8.self) }))
            default: continue
            }
        }
        var groups: [Group] = []
        if services.count > 1 { groups.append(self.group(services, "probe-services", Self.servicesScript)) }
        if packages.count > 1 { groups.append(self.group(packages, "probe-packages", Self.packagesScript)) }
        if directories.count > 1 {
            groups.append(self.group(directories, "probe-directories", Self.directoriesScript))
        }
        if files.count > 1 { groups.append(self.group(files, "probe-files", Self.filesScript)) }
        return groups
    }

    /// A group whose arguments are, per member, its index then its own probe's arguments.
    private static func group(_ members: [(Int, [String])], _ name: String, _ script: String) -> Group {
        Group(
            members: members.map(\.0),
            probe: ShellScript(name, script, members.flatMap { [String($0.0)] + $0.1 })
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

    /// Arguments: index and path, for each directory. The tests that need no command run for each path;
    /// the directories found get one `stat` for all (its format holds no name, so any path is safe). If
    /// that `stat` fails for any (a directory went away meanwhile), each is read alone.
    static let directoriesScript = """
        count=$#
        while [ "$count" -gt 0 ]; do
            i=$1 p=$2; shift 2; count=$((count - 2))
            if [ -L "$p" ]; then echo "::lurus-probe $i"; echo type=symlink
            elif [ -d "$p" ]; then set -- "$@" "$i" "$p"
            elif [ -e "$p" ]; then echo "::lurus-probe $i"; echo type=other
            else echo "::lurus-probe $i"; echo type=absent; fi
        done
        [ $# -gt 0 ] || exit 0
        indices= count=$#
        while [ "$count" -gt 0 ]; do indices="$indices $1"; set -- "$@" "$2"; shift 2; count=$((count - 2)); done
        if stats=$(stat -c '%a %U %G' -- "$@"); then
            for i in $indices; do
                meta=${stats%%"
        "*}
                stats=${stats#"$meta"}; stats=${stats#"
        "}
                echo "::lurus-probe $i"; echo type=directory; echo "meta=$meta"
            done
        else
            for i in $indices; do
                echo "::lurus-probe $i"
                if [ -d "$1" ]; then echo type=directory; echo "meta=$(stat -c '%a %U %G' -- "$1")"
                elif [ -e "$1" ]; then echo type=other; else echo type=absent; fi
                shift
            done
        fi
        """

    /// Arguments: index, then the file probe's own four (path, desired sha256, whether content may be
    /// shown, size limit), for each file. The tests that need no command run for each path; the regular
    /// files found get one `stat` and one `sha256sum` for all, and only a file that differs (and may be
    /// shown) is read for its content, as the file probe does. If `stat` or `sha256sum` fails for any
    /// (unreadable, or gone meanwhile), each file is read by the file probe alone.
    static let filesScript = """
        count=$# tokens=
        while [ "$count" -gt 0 ]; do
            i=$1 p=$2 d=$3 s=$4 l=$5; shift 5; count=$((count - 5))
            if [ -L "$p" ]; then echo "::lurus-probe $i"; echo type=symlink
            elif [ -d "$p" ]; then echo "::lurus-probe $i"; echo type=directory
            elif [ ! -e "$p" ]; then echo "::lurus-probe $i"; echo type=absent
            elif [ ! -f "$p" ]; then echo "::lurus-probe $i"; echo type=other
            else tokens="$tokens $i:$d:$s:$l"; set -- "$@" "$p"; fi
        done
        [ $# -gt 0 ] || exit 0
        if stats=$(stat -c '%a %U %G %s' -- "$@") && sums=$(sha256sum -- "$@"); then
            for t in $tokens; do
                i=${t%%:*} t=${t#*:}; d=${t%%:*} t=${t#*:}; show=${t%%:*} limit=${t#*:}
                meta=${stats%%"
        "*}
                stats=${stats#"$meta"}; stats=${stats#"
        "}
                line=${sums%%"
        "*}
                sums=${sums#"$line"}; sums=${sums#"
        "}
                line=${line#\\\\}; sum=${line%% *}
                echo "::lurus-probe $i"; echo type=file; echo "meta=$meta"; echo "sha256=$sum"
                if [ "$sum" != "$d" ] && [ "$show" = 1 ] && [ "${meta##* }" -le "$limit" ]; then
                    printf 'content='; base64 -w 0 < "$1"; echo
                fi
                shift
            done
        else
            for t in $tokens; do
                i=${t%%:*} t=${t#*:}; d=${t%%:*} t=${t#*:}; show=${t%%:*} limit=${t#*:}
                echo "::lurus-probe $i"
                (set -- "$1" "$d" "$show" "$limit"
        \(File.probeScript)
        ) </dev/null
                shift
            done
        fi
        """
}
