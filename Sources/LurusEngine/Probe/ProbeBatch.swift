import LurusRemote

/// Reads the state of many resources of one node in one round trip: one generated script, sent on stdin to
/// `sh -s`, runs every resource's probe in turn and marks where each answer starts.
///
/// The answer is `::lurus-probe N` followed by resource N's `KEY=VALUE` lines; probes base64-encode
/// anything arbitrary, so no answer line can look like a marker.
public enum ProbeBatch {
    static let marker = "::lurus-probe "

    /// The script probing `resources` in order.
    public static func script(for resources: [Resource]) -> [UInt8] {
        // Each probe's stdin is /dev/null on its own line: the shell reads this script from stdin, so
        // `exec </dev/null` would cut off whatever it has not read yet.
        var script: [UInt8] = Array("exec 2>/dev/null\n".utf8)
        // Kinds read many at once by one command (services, packages) print their members' markers.
        var grouped: Set<Int> = []
        for group in ProbeGroups.groups(of: resources) {
            script += Self.inline(group.probe)
            grouped.formUnion(group.members)
        }
        for (index, resource) in resources.enumerated() where !grouped.contains(index) {
            script += Array("echo '\(Self.marker)\(index)'\n".utf8)
            script += Self.inline(resource.spec.probe)
        }
        script += Array("echo '\(Self.marker)end'\n".utf8)
        return script
    }

    /// One probe run in a subshell of the batch's shell, its values set as positional parameters: the
    /// same script and arguments as `sh -c SCRIPT NAME ARGS`, without starting a shell per resource (a
    /// fork instead of a fork and an exec), so a probe made only of shell builtins costs next to nothing.
    static func inline(_ probe: ShellScript) -> [UInt8] {
        var line: [UInt8] = Array("(set --".utf8)
        for argument in probe.arguments { line += [UInt8(ascii: " ")] + Shell.quote(argument) }
        line += Array("\n".utf8) + Array(probe.script.utf8) + Array("\n) </dev/null\n".utf8)
        return line
    }

    /// The command that runs the script.
    public static func command(for resources: [Resource], timeout: Duration = .seconds(60)) -> RemoteCommand {
        RemoteCommand(ShellCommand(["sh", "-s"]), input: .bytes(self.script(for: resources)), timeout: timeout)
    }

    /// The observed state of each resource, in order; nil when the answer was cut short (the node went away
    /// mid-probe, or a group's script died before all its members' markers), since a partial answer would
    /// make absent things look absent.
    public static func parse(_ output: [UInt8], count: Int) -> [ObservedState]? {
        let text = String(decoding: output, as: UTF8.self)
        var sections: [[Substring]] = Array(repeating: [], count: count)
        var seen = Array(repeating: false, count: count)
        var current: Int?
        var ended = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix(Self.marker) {
                let tag = line.dropFirst(Self.marker.count)
                if tag == "end" {
                    ended = true
                    current = nil
                } else {
                    current = Int(tag).flatMap { $0 < count ? $0 : nil }
                    if let current { seen[current] = true }
                }
            } else if let current {
                sections[current].append(line)
            }
        }
        // Every resource's marker must be there: a group that died half-way must not read as "absent".
        guard ended, !seen.contains(false) else { return nil }
        return sections.map { ObservedState.parse($0) }
    }
}
