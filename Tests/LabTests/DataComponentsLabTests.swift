import Foundation
import LurusTestSupport
import Testing

extension LabIntegrationTests {
    /// PostgreSQL, ClickHouse, Redis and NATS, provisioned by `lurusctl up` on a fresh lab, then used from this
    /// machine over the lab network with their own clients (psql, HTTP, redis-cli, nats-py), as services will.
    @Suite struct DataComponentsLabTests {
        typealias Commands = ProvisioningCommandTests
        static let secrets = Repository.path("inventory/.lurus/lurus-lab/secrets")
        static let venvPython = "/var/cache/lurusctl/venv/bin/python"

        static func secret(_ name: String) throws -> String {
            try String(contentsOfFile: "\(self.secrets)/\(name)", encoding: .utf8)
        }

        /// Fails, saying what to run, when a client the checks need is missing on this machine.
        static func requireClients() throws {
            for tool in ["/usr/bin/psql", "/usr/bin/redis-cli", "/usr/bin/curl", Self.venvPython] {
                try #require(
                    FileManager.default.isExecutableFile(atPath: tool),
                    "\(tool) is missing: run scripts/setup (it installs the clients the lab tests use)"
                )
            }
        }

        static func psql(
            _ role: String,
            database: String,
            password: String,
            _ sql: String
        ) async throws
            -> ProcessRunner.Result
        {
            try await ProcessRunner.run(
                "/usr/bin/psql",
                [
                    "-X", "-w", "-h", "10.77.0.12", "-U", role, "-d", database, "-tA", "-v", "ON_ERROR_STOP=1", "-c",
                    sql,
                ],
                environment: ["PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"],
                timeout: 30
            )
        }

        /// A query over ClickHouse's HTTP interface; the user's password goes in a header, not the URL.
        static func clickhouse(_ sql: String, user: String, password: String) async throws -> ProcessRunner.Result {
            try await ProcessRunner.run(
                "/usr/bin/curl",
                [
                    "-sS", "--max-time", "10", "-H", "X-ClickHouse-User: \(user)", "-H",
                    "X-ClickHouse-Key: \(password)",
                    "--data-binary", sql, "http://10.77.0.14:8123/",
                ],
                timeout: 30
            )
        }

        static func redis(password: String?, _ command: String) async throws -> ProcessRunner.Result {
            try await ProcessRunner.run(
                "/usr/bin/redis-cli",
                ["-h", "10.77.0.12", "--no-auth-warning", command],
                environment: password.map { ["REDISCLI_AUTH": $0] } ?? [:],
                timeout: 30
            )
        }

        static func nats(password: String) async throws -> String {
            let result = try await ProcessRunner.run(
                Self.venvPython,
                [Repository.path("scripts/test/nats-check"), "nats://10.77.0.11:4222", "lurus"],
                environment: ["NATS_PASSWORD": password],
                timeout: 60
            )
            #expect(result.status == 0, "\(result)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// `NODE COMPONENT: ITEM` for every entry of `key` (changes, restarts) of every unit in a JSON summary.
        static func unitLists(_ summary: [String: Any], _ key: String) -> [String] {
            let nodes = summary["nodes"] as? [[String: Any]] ?? []
            return nodes.flatMap { node in
                (node["units"] as? [[String: Any]] ?? []).flatMap { unit in
                    (unit[key] as? [String] ?? []).map { "\(unit["node"] ?? "") \(unit["component"] ?? ""): \($0)" }
                }
            }
        }

        /// Fresh lab: up converges, a second up changes and restarts nothing, and every store answers its
        /// clients with the generated credentials and refuses them without. Then one secret is rotated: the
        /// next up changes that password alone.
        @Test func convergeUseAndRotate() async throws {
            try Self.requireClients()
            try await Commands.freshLab()
            let up = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml", "--json"])
            #expect(up.status == 0, "\(up)")
            let first = try Commands.summary(up.stdout)
            #expect(first["failed"] as? Int == 0)
            let again = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml", "--json"])
            let second = try Commands.summary(again.stdout)
            #expect(again.status == 0 && second["changed"] as? Int == 0, "second up changed something: \(again)")
            #expect(Self.unitLists(second, "restarts").isEmpty, "second up restarted something: \(again.stdout)")

            // PostgreSQL: billing's role works in its own database only, and is no superuser.
            let billing = try Self.secret("postgres/billing")
            let own = try await Self.psql(
                "lurus_billing",
                database: "lurus_billing",
                password: billing,
                "CREATE TABLE balances (id int); SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            )
            #expect(own.status == 0 && own.stdout.contains("f"), "\(own)")
            let other = try await Self.psql("lurus_billing", database: "lurus_provider", password: billing, "SELECT 1")
            #expect(other.status != 0 && other.stderr.contains("no pg_hba.conf entry"), "\(other)")
            let wrong = try await Self.psql("lurus_billing", database: "lurus_billing", password: "nope", "SELECT 1")
            #expect(wrong.status != 0 && wrong.stderr.contains("password authentication failed"), "\(wrong)")
            let escalate = try await Self.psql(
                "lurus_billing",
                database: "lurus_billing",
                password: billing,
                "CREATE DATABASE stolen"
            )
            #expect(escalate.status != 0 && escalate.stderr.contains("permission denied"), "\(escalate)")

            // ClickHouse: lurus answers and may make tables in lurus_logs (the log service owns them and
            // migrates them at start); default is refused from here.
            let clickhousePassword = try Self.secret("clickhouse/lurus")
            let select = try await Self.clickhouse("SELECT 1", user: "lurus", password: clickhousePassword)
            #expect(select.stdout == "1\n", "\(select)")
            let database = try await Self.clickhouse(
                "SELECT count() FROM system.databases WHERE name = 'lurus_logs'",
                user: "lurus",
                password: clickhousePassword
            )
            #expect(database.stdout == "1\n", "\(database)")
            for statement in [
                "CREATE TABLE IF NOT EXISTS lurus_logs.lab_check (x UInt8) ENGINE = Memory",
                "DROP TABLE lurus_logs.lab_check",
            ] {
                let made = try await Self.clickhouse(statement, user: "lurus", password: clickhousePassword)
                #expect(made.stdout.isEmpty && !made.stderr.contains("Code:"), "\(statement): \(made)")
            }
            let outsider = try await Self.clickhouse("SELECT 1", user: "default", password: "")
            #expect(outsider.stdout.contains("User default is not allowed to connect"), "\(outsider)")

            // Redis: nothing without the password, PONG with it.
            let anonymous = try await Self.redis(password: nil, "PING")
            #expect(anonymous.stdout.contains("NOAUTH"), "\(anonymous)")
            let redisPassword = try Self.secret("redis/default")
            let ping = try await Self.redis(password: redisPassword, "PING")
            #expect(ping.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "PONG", "\(ping)")

            // NATS: the services' user is let in (and sees JetStream), nobody else is.
            #expect(try await Self.nats(password: try Self.secret("nats/lurus")) == "accepted jetstream=True")
            #expect(try await Self.nats(password: "").contains("Authorization Violation"))
            #expect(try await Self.nats(password: "wrong").contains("Authorization Violation"))
            let monitoring = try await ProcessRunner.run(
                "/usr/bin/curl",
                ["-sS", "--max-time", "10", "http://10.77.0.11:8222/varz"],
                timeout: 30
            )
            let varz = try JSONSerialization.jsonObject(with: Data(monitoring.stdout.utf8)) as? [String: Any]
            let jetstream = try #require(varz?["jetstream"] as? [String: Any], "no jetstream in /varz: \(monitoring)")
            #expect((jetstream["config"] as? [String: Any])?["store_dir"] as? String == "/var/lib/nats/jetstream")

            // Rotation: a new billing password changes that role's password and billing's copy of it, and
            // nothing else; billing gets a new deployment (its secrets' digests are part of it) and reads it.
            // A colon and a backslash: the guard hands passwords to libpq in a password file, where both are escaped.
            let rotated = "rotated:\\-\(UUID().uuidString.lowercased())"
            try rotated.write(toFile: "\(Self.secrets)/postgres/billing", atomically: true, encoding: .utf8)
            let rotate = try await Commands.lurusctl(["up", "-i", "inventory/lab.yaml", "--json"])
            #expect(rotate.status == 0, "\(rotate)")
            #expect(!rotate.stdout.contains(rotated), "the new password appeared in the output")
            let changed = Self.unitLists(try Commands.summary(rotate.stdout), "changes")
            #expect(changed.count == 3, "rotation changed: \(changed)")
            #expect(
                changed.first == "brain billing: file /etc/lurus/billing/secrets/postgres-password: content",
                "\(changed)"
            )
            #expect(
                changed.dropFirst().first?.hasPrefix("heart postgres: file /etc/lurus/secrets/postgres/lurus_billing: ")
                    == true,
                "\(changed)"
            )
            #expect(
                changed.last == "heart postgres: run postgres roles lurus_gateway, lurus_provider, lurus_billing",
                "\(changed)"
            )
            let redeployed = try Commands.deploySummary(rotate.stdout)
            #expect(redeployed["switched"] as? Int == 1 && redeployed["failed"] as? Int == 0, "\(redeployed)")
            let billingHealth = try await ProcessRunner.run(
                "/usr/bin/curl",
                ["-sS", "--max-time", "10", "http://10.77.0.11:18103/health"],
                timeout: 30
            )
            #expect(
                billingHealth.stdout.contains("\"status\":\"ok\""),
                "billing with the new password: \(billingHealth)"
            )
            let old = try await Self.psql("lurus_billing", database: "lurus_billing", password: billing, "SELECT 1")
            #expect(old.status != 0, "the old password still works")
            let new = try await Self.psql("lurus_billing", database: "lurus_billing", password: rotated, "SELECT 1")
            #expect(new.status == 0, "\(new)")
            let provider = try await Self.psql(
                "lurus_provider",
                database: "lurus_provider",
                password: try Self.secret("postgres/provider"),
                "SELECT 1"
            )
            #expect(provider.status == 0, "another role's password changed: \(provider)")
        }
    }
}
