import Foundation
import LurusInventory

/// The data components' checks: PostgreSQL, ClickHouse, Redis, NATS, MinIO, and the age of the newest
/// backup of each component that is backed up.
enum DataChecks {
    static func postgres(port: Int, seconds: Double) -> [HealthCheck] {
        let psql = "runuser -u postgres -- psql -XtAq -p \(port) -c"
        return [
            HealthCheck(
                "postgres",
                script: "pg_isready -h /var/run/postgresql -p \(port) -t \(Int(seconds.rounded(.up)))"
            ) {
                answer,
                context in
                let fix = "systemctl status postgresql; journalctl -u postgresql -n 50"
                if let unanswered = Finding.unanswered(answer, context, what: "pg_isready", fix: fix) {
                    return unanswered
                }
                // pg_isready: 0 accepting, 1 rejecting (starting up, shutting down), 2 no answer, 3 not attempted.
                switch answer.status {
                case 0: return Finding(.ok, "accepting connections")
                case 1: return Finding(.critical, "rejecting connections (starting or stopping)", fix: fix)
                case 2: return Finding(.critical, "no answer on port \(port)", fix: fix)
                default: return Finding(.unknown, "pg_isready: \(answer.output.prefix(120))", fix: fix)
                }
            },
            HealthCheck(
                "postgres.connections",
                script: "\(psql) \"SELECT count(*) || ' ' || current_setting('max_connections') FROM pg_stat_activity\""
            ) { answer, context in
                let fix = "find who holds them: SELECT usename, count(*) FROM pg_stat_activity GROUP BY 1"
                if let unanswered = Finding.unanswered(answer, context, what: "psql", fix: fix) { return unanswered }
                let fields = answer.lines.first?.split(separator: " ").compactMap { Double($0) } ?? []
                guard answer.status == 0, fields.count == 2, fields[1] > 0 else {
                    return Finding(.critical, "psql: \(answer.output.prefix(120))", fix: "check that PostgreSQL runs")
                }
                let percent = fields[0] / fields[1] * 100
                return Finding(
                    Thresholds.above(percent, warning: 80, critical: 95),
                    "\(Int(fields[0])) of \(Int(fields[1])) connections",
                    measure: .init(
                        "connections",
                        fields[0],
                        warning: fields[1] * 0.8,
                        critical: fields[1] * 0.95,
                        minimum: 0,
                        maximum: fields[1]
                    ),
                    fix: fix
                )
            },
            // WAL archiving (what point-in-time restore needs): a failure newer than the last success.
            HealthCheck(
                "postgres.archiving",
                script: "\(psql) \"SELECT current_setting('archive_mode') || ' ' || "
                    + "coalesce(extract(epoch FROM last_archived_time)::bigint, 0) || ' ' || "
                    + "coalesce(extract(epoch FROM last_failed_time)::bigint, 0) || ' ' || coalesce(last_failed_wal, '-') "
                    + "FROM pg_stat_archiver\""
            ) { answer, context in
                let fix = "journalctl -u postgresql says why archive_command fails; check the backup store"
                if let unanswered = Finding.unanswered(answer, context, what: "psql", fix: fix) { return unanswered }
                let fields = answer.lines.first?.split(separator: " ") ?? []
                guard answer.status == 0, fields.count == 4 else {
                    return Finding(.critical, "psql: \(answer.output.prefix(120))", fix: "check that PostgreSQL runs")
                }
                guard fields[0] == "on" || fields[0] == "always" else { return Finding(.ok, "archiving is off") }
                let archived = Double(fields[1]) ?? 0
                let failed = Double(fields[2]) ?? 0
                if failed > archived {
                    return Finding(.critical, "WAL archiving fails (last: \(fields[3])); segments pile up", fix: fix)
                }
                return Finding(.ok, archived > 0 ? "WAL archived" : "no WAL archived yet")
            },
        ]
    }

    /// Redis answers PING: PONG, or NOAUTH (it is up, and wants its password, which the probe never has).
    /// (Debian's redis-cli 7.0 has no `-t`: the probe's deadline bounds it.)
    static func redis(port: Int) -> HealthCheck {
        HealthCheck("redis", script: "redis-cli -h \"$MESH\" -p \(port) PING") { answer, context in
            let fix = "systemctl status redis-server; journalctl -u redis-server -n 50"
            if let unanswered = Finding.unanswered(answer, context, what: "redis-cli", fix: fix) { return unanswered }
            let reply = answer.lines.first ?? ""
            if reply == "PONG" || reply.hasPrefix("NOAUTH") { return Finding(.ok, "answers PING") }
            return Finding(.critical, "PING: \(answer.output.prefix(120))", fix: fix)
        }
    }

    /// JetStream answers, and the services' three streams exist (they are declared by the services that
    /// own them, so a missing one is a warning until they run).
    static func nats(monitorPort: Int, seconds: Double, streams: [String]) -> [HealthCheck] {
        let fix = "systemctl status nats-server; journalctl -u nats-server -n 50"
        return [
            HTTPChecks.endpoint(
                "nats",
                what: "NATS JetStream",
                port: monitorPort,
                path: "/healthz?js-enabled-only=true",
                seconds: seconds,
                fix: fix
            ),
            HTTPChecks.endpoint(
                "nats.streams",
                what: "NATS",
                port: monitorPort,
                path: "/jsz?streams=true",
                seconds: seconds,
                fix: fix
            ) { code, body in
                guard code == 200, let object = HTTPChecks.object(body) else { return nil }
                let accounts = object["account_details"] as? [[String: Any]] ?? []
                let present = Set(
                    accounts.flatMap { ($0["stream_detail"] as? [[String: Any]]) ?? [] }.compactMap {
                        $0["name"] as? String
                    }
                )
                let missing = streams.filter { !present.contains($0) }
                return missing.isEmpty
                    ? Finding(.ok, "streams \(streams.joined(separator: ", "))")
                    : Finding(
                        .warning,
                        "no stream \(missing.joined(separator: ", "))",
                        fix: "the services declare their streams when they start: lurusctl deploy"
                    )
            },
        ]
    }

    static func clickhouse(port: Int, seconds: Double) -> HealthCheck {
        HTTPChecks.endpoint(
            "clickhouse",
            what: "ClickHouse",
            port: port,
            path: "/ping",
            seconds: seconds,
            fix: "systemctl status clickhouse-server; /var/log/clickhouse-server/clickhouse-server.err.log"
        )
    }

    /// MinIO's cluster health: 503 means it has lost its write quorum.
    static func minio(port: Int, seconds: Double) -> HealthCheck {
        HTTPChecks.endpoint(
            "minio",
            what: "MinIO",
            port: port,
            path: "/minio/health/cluster",
            seconds: seconds,
            fix: "systemctl status minio; journalctl -u minio -n 50 (503: not enough drives for writes)"
        )
    }

    /// The newest backup of `component` (`BackupComponent`'s name) taken on this node, from the metric
    /// `lurusctl backup` writes last, once every byte is stored and verified: older than `maxAge` warns,
    /// none is a warning too.
    static func backupAge(_ component: String, directory: String, maxAge: InventoryDuration) -> HealthCheck {
        let file = "\(directory)/lurus_backup_\(component).prom"
        let limit = Double(maxAge.milliseconds) / 1000
        return HealthCheck("backup.\(component)", script: "cat \(file) 2>/dev/null || echo none") {
            answer,
            context in
            let fix = "run lurusctl backup (and check its cron line: doc/operations.md)"
            if let unanswered = Finding.unanswered(answer, context, what: "backup metric", fix: fix) {
                return unanswered
            }
            let line = answer.lines.first { $0.hasPrefix("lurus_backup_last_success_timestamp_seconds") }
            guard let stamp = line?.split(separator: " ").last.flatMap({ Double($0) }) else {
                return Finding(.warning, "no backup of \(component) yet", fix: fix)
            }
            let age = max(0, context.localTime - stamp)
            return Finding(
                age > limit ? .warning : .ok,
                "newest backup \(Self.age(age)) old (limit \(maxAge.text))",
                measure: .init("backup_age", age.rounded(), unit: "s", warning: limit, minimum: 0),
                fix: fix
            )
        }
    }

    /// `45s`, `3h 12m`, `2d 5h`.
    static func age(_ seconds: Double) -> String {
        let value = Int(seconds)
        switch value {
        case ..<60: return "\(value)s"
        case ..<3600: return "\(value / 60)m"
        case ..<86_400: return "\(value / 3600)h \(value % 3600 / 60)m"
        default: return "\(value / 86_400)d \(value % 86_400 / 3600)h"
        }
    }
}
