import Foundation
import LurusInventory

/// The checks every node gets: disk and inodes, memory, failed systemd units, the clock.
enum NodeChecks {
    /// The file systems that hold the system and the data (`/var/lib`): each is read once.
    static let paths = "/ /var/lib"

    static func all(_ health: HealthSettings) -> [HealthCheck] {
        [
            self.space("disk", flag: "-k", what: "used", health: health),
            self.space("inodes", flag: "-i", what: "of inodes used", health: health),
            self.memory,
            self.systemd,
            self.clock,
        ]
    }

    /// `df -P` of the paths: the fullest file system decides.
    static func space(_ name: String, flag: String, what: String, health: HealthSettings) -> HealthCheck {
        let warning = Double(health.diskWarningPercent)
        let critical = Double(health.diskCriticalPercent)
        return HealthCheck(name, script: "df -P \(flag) \(Self.paths)") { answer, context in
            if let unanswered = Finding.unanswered(answer, context, what: "df", fix: "check the node's disks") {
                return unanswered
            }
            // Filesystem, size, used, available, capacity, mounted on; one line per path, a header first.
            var fullest: (mount: String, percent: Double)?
            for line in answer.lines.dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 6, fields[4].hasSuffix("%"), let used = Double(fields[4].dropLast()) else {
                    continue
                }
                if fullest == nil || used > fullest!.percent { fullest = (String(fields[5]), used) }
            }
            guard let fullest else {
                return Finding(.unknown, "df printed nothing readable", fix: "run df -P on the node")
            }
            let status = Thresholds.above(fullest.percent, warning: warning, critical: critical)
            return Finding(
                status,
                "\(fullest.mount) \(Thresholds.percent(fullest.percent)) \(what)",
                measure: .init(
                    name,
                    fullest.percent,
                    unit: "%",
                    warning: warning,
                    critical: critical,
                    minimum: 0,
                    maximum: 100
                ),
                fix: name == "disk"
                    ? "free space on \(fullest.mount): old releases (lurusctl releases), logs, or grow the disk"
                    : "remove the many small files on \(fullest.mount) (a spool, a cache), or make a file system with more inodes"
            )
        }
    }

    /// MemAvailable of MemTotal: under 10% warns, under 5% is critical.
    static let memory = HealthCheck("memory", script: "cat /proc/meminfo") { answer, context in
        if let unanswered = Finding.unanswered(answer, context, what: "memory", fix: "check the node") {
            return unanswered
        }
        var values: [Substring: Double] = [:]
        for line in answer.lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let value = Double(fields[1]) { values[fields[0].dropLast()] = value }
        }
        guard let total = values["MemTotal"], total > 0, let available = values["MemAvailable"] else {
            return Finding(.unknown, "/proc/meminfo has no MemAvailable", fix: "check the node's kernel")
        }
        let percent = available / total * 100
        return Finding(
            Thresholds.below(percent, warning: 10, critical: 5),
            "\(Thresholds.percent(percent)) available of \(Int(total / 1024)) MiB",
            measure: .init(
                "memory_available",
                (percent * 10).rounded() / 10,
                unit: "%",
                warning: 10,
                critical: 5,
                minimum: 0,
                maximum: 100
            ),
            fix: "find what grew (ps aux --sort=-rss | head) and lower its memory settings, or add memory"
        )
    }

    /// Units systemd marks failed: a warning naming them (a failed lurusctl service is also its own check).
    static let systemd = HealthCheck(
        "systemd",
        script: "systemctl list-units --state=failed --no-legend --plain --no-pager"
    ) { answer, context in
        if let unanswered = Finding.unanswered(answer, context, what: "systemctl", fix: "check the node") {
            return unanswered
        }
        let failed = answer.lines.compactMap { $0.split(separator: " ").first.map(String.init) }
        return Finding(
            failed.isEmpty ? .ok : .warning,
            failed.isEmpty ? "no failed units" : "failed: \(failed.joined(separator: ", "))",
            measure: .init("failed_units", Double(failed.count), warning: 1),
            fix: "journalctl -u \(failed.first ?? "UNIT") -n 50 says why; systemctl reset-failed once fixed"
        )
    }

    /// The node's clock against the control machine's: over 2 s warns, over 30 s is critical (tokens, TLS
    /// and the lock's ages go wrong).
    static let clock = HealthCheck("clock", script: "date +%s.%N") { answer, context in
        if let unanswered = Finding.unanswered(answer, context, what: "date", fix: "check the node") {
            return unanswered
        }
        guard let remote = answer.lines.first.flatMap({ Double($0) }) else {
            return Finding(.unknown, "date printed \(answer.output.prefix(40))", fix: "check the node")
        }
        let skew = remote - context.localTime
        let status = Thresholds.above(abs(skew), warning: 2, critical: 30)
        let rounded = (skew * 10).rounded() / 10
        return Finding(
            status,
            "\(rounded >= 0 ? "+" : "")\(rounded)s from this machine",
            measure: .init("clock_offset", rounded, unit: "s", warning: 2, critical: 30),
            fix: "turn on time sync on the node (timedatectl set-ntp true) and on this machine"
        )
    }
}
