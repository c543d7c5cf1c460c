import Foundation
import Testing

@testable import LurusLogs

extension LogsServerTests {
    /// The schema against a real ClickHouse 18.16: made at start by the `lurus` user, by two replicas at once,
    /// again without change, and a `request_log` left by an older `up` set aside.
    @Suite(.timeLimit(.minutes(2))) struct SchemaTests {
        @Test func twoReplicasMigratingAtOnceBothEndWithTheSchemaOnce() async throws {
            let fixture = try await LogsFixture.start()
            let migrator = LogSchemaMigrator(client: fixture.client(), logger: LogsFixture.logger)
            async let first = migrator.migrate()
            async let second = migrator.migrate()
            let applied = try await [first, second]
            #expect(Set(applied.flatMap { $0 }) == [1, 2], "between them, they applied migrations 1 and 2")
            #expect(try await migrator.migrate() == [], "nothing left to apply")
            #expect(try fixture.scalar("SELECT uniqExact(version) FROM lurus_logs.schema_migrations") == "2")
            #expect(
                try fixture.scalar(
                    "SELECT groupArray(engine) FROM (SELECT engine FROM system.tables WHERE database = 'lurus_logs' AND name LIKE 'request_stats_hourly%' ORDER BY name)"
                ) == "['AggregatingMergeTree','MaterializedView']"
            )
            let columns = try fixture.scalar(
                "SELECT groupArray(name) FROM system.columns WHERE database = 'lurus_logs' AND table = 'request_log'"
            )
            for column in [
                "outcome", "stream", "attempts", "upstream_model", "ttft_ms", "started_at_ms", "cache_read_tokens",
                "error",
                "user_id",
            ] {
                #expect(columns.contains("'\(column)'"), "\(column) in \(columns)")
            }
            #expect(
                try fixture.scalar(
                    "SELECT engine FROM system.tables WHERE database = 'lurus_logs' AND name = 'request_log'"
                ) == "ReplacingMergeTree"
            )
            let retention = try await migrator.setRetention(days: 30)
            #expect(retention.contains("18.16") && retention.contains("no TTL"), "\(retention)")
        }

        @Test func aRequestLogFromAnOlderUpIsSetAsideNotMixedIn() async throws {
            let fixture = try await LogsFixture.start()
            try fixture.clickHouse.query(
                """
                CREATE TABLE lurus_logs.request_log (time DateTime, request_id String, cost Decimal(18, 8))
                ENGINE = MergeTree() PARTITION BY toYYYYMM(time) ORDER BY (time, request_id)
                """
            )
            let migrator = LogSchemaMigrator(client: fixture.client(), logger: LogsFixture.logger)
            #expect(try await migrator.migrate() == [1, 2])
            #expect(try fixture.scalar("EXISTS TABLE lurus_logs.request_log_before_service") == "1")
            #expect(
                try fixture.scalar(
                    "SELECT count() FROM system.columns WHERE database = 'lurus_logs' AND table = 'request_log' AND name = 'outcome'"
                ) == "1"
            )
        }

        @Test func aWrongPasswordOrNoServerIsAStartupErrorNamingIt() async throws {
            let fixture = try await LogsFixture.start()
            try "not-the-password".write(to: fixture.passwordFile("wrong"), atomically: true, encoding: .utf8)
            let wrong = LogService(
                configuration: try fixture.configuration([
                    "CLICKHOUSE_PASSWORD_FILE": fixture.passwordFile("wrong").path
                ]),
                logger: LogsFixture.logger
            )
            await #expect {
                try await wrong.migrate(within: .seconds(5))
            } throws: { error in
                let text = "\(error)"
                return text.contains("refused user lurus") && text.contains("clickhouse.passwordFile")
                    && !text.contains("not-the-password")
            }
            fixture.clickHouse.stop()
            let away = LogService(configuration: try fixture.configuration(), logger: LogsFixture.logger)
            let started = ContinuousClock.now
            await #expect {
                try await away.migrate(within: .seconds(2))
            } throws: { error in
                "\(error)".contains("does not answer") && "\(error)".contains("clickhouse.url")
            }
            #expect(ContinuousClock.now - started < .seconds(20), "bounded by the deadline")
        }
    }
}
