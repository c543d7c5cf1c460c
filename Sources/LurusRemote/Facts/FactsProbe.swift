import LurusInventory

/// Reads a node's facts in one round trip: a POSIX shell script sent on stdin, answering one tab-separated
/// record per line (`key<TAB>value...`), parsed here without further I/O.
public enum FactsProbe {
    /// Runs under `sh -s`; uses only what a minimal Debian has (coreutils, procps, iproute2, systemd).
    public static let script = """
        set -u
        t=$(printf '\\t')
        . /etc/os-release 2>/dev/null
        printf 'os%s%s%s%s%s%s\\n' "$t" "${ID:-unknown}" "$t" "${VERSION_ID:-}" "$t" "${PRETTY_NAME:-}"
        printf 'hostname%s%s\\n' "$t" "$(hostname)"
        printf 'machine-id%s%s\\n' "$t" "$(cat /etc/machine-id 2>/dev/null)"
        printf 'arch%s%s\\n' "$t" "$(uname -m)"
        printf 'kernel%s%s\\n' "$t" "$(uname -r)"
        printf 'cpus%s%s\\n' "$t" "$(nproc)"
        awk -v t="$t" '/^MemTotal:/ {print "memory" t $2} /^MemAvailable:/ {print "memory-available" t $2}' /proc/meminfo
        printf 'uptime%s%s\\n' "$t" "$(cut -d. -f1 /proc/uptime)"
        printf 'init%s%s\\n' "$t" "$(cat /proc/1/comm)"
        printf 'virt%s%s\\n' "$t" "$(systemd-detect-virt --container 2>/dev/null || true)"
        printf 'system-state%s%s\\n' "$t" "$(systemctl is-system-running 2>/dev/null || true)"
        df -P -k -T -x tmpfs -x devtmpfs -x squashfs 2>/dev/null | awk -v t="$t" 'NR > 1 {print "disk" t $7 t $2 t $3 t $4 t $5}'
        ip -o addr show 2>/dev/null | awk -v t="$t" '{print "address" t $2 t $3 t $4}'
        """

    /// The command that runs the probe.
    public static var command: RemoteCommand {
        RemoteCommand(ShellCommand(["sh", "-s"]), input: .bytes(Array(script.utf8)), timeout: .seconds(30))
    }

    /// Parses the probe's answer. Unknown records are ignored, so newer probes stay readable.
    public static func parse(_ output: String) -> NodeFacts {
        var facts = NodeFacts()
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let key = fields.first else { continue }
            let value = fields.count > 1 ? fields[1] : ""
            switch key {
            case "os" where fields.count >= 4:
                facts.osID = fields[1]
                facts.osVersion = fields[2]
                facts.osName = fields[3]
            case "hostname": facts.hostname = value
            case "machine-id": facts.machineID = value
            case "arch": facts.architecture = value
            case "kernel": facts.kernel = value
            case "cpus": facts.cpus = Int(value) ?? 0
            case "memory": facts.memoryKiB = Int64(value) ?? 0
            case "memory-available": facts.memoryAvailableKiB = Int64(value) ?? 0
            case "uptime": facts.uptimeSeconds = Int64(value) ?? 0
            case "init": facts.initSystem = value
            case "virt": facts.container = value.isEmpty ? "none" : value
            case "system-state": facts.systemState = value
            case "disk" where fields.count >= 6:
                facts.disks.append(
                    NodeFacts.Disk(
                        mount: fields[1],
                        filesystem: fields[2],
                        sizeKiB: Int64(fields[3]) ?? 0,
                        usedKiB: Int64(fields[4]) ?? 0,
                        availableKiB: Int64(fields[5]) ?? 0
                    )
                )
            case "address" where fields.count >= 4:
                facts.addresses.append(NodeFacts.Address(interface: fields[1], family: fields[2], address: fields[3]))
            default:
                continue
            }
        }
        return facts
    }
}

extension NodeTransport {
    /// The node's facts, in one round trip.
    public func facts(of node: Node) async throws -> NodeFacts {
        let result = try await self.run(FactsProbe.command, on: node)
        guard result.succeeded else {
            throw RemoteError(
                .commandFailed,
                node: node.name,
                address: "\(node.address)",
                "the facts probe failed (\(result.outcome)): \(String(decoding: result.stderr, as: UTF8.self))",
                hint: "the node needs a POSIX shell, coreutils and iproute2"
            )
        }
        return FactsProbe.parse(String(decoding: result.stdout, as: UTF8.self))
    }
}
