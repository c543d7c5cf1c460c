import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real ClickHouse server (Debian's `clickhouse-server`, 18.16) with its data in a temporary
/// directory, on free ports of 127.0.0.1, for one test. The `default` user has no password; `lurus` has a
/// random one and the database `lurus_logs` only, as `up` configures it on a node. Stopped on `stop()` or
/// deinit; `start()` starts it again on the same data and port.
public final class ClickHouseServerProcess: SignalledServer, Sendable {
    public let httpPort: Int
    public let user = "lurus"
    public let password: String
    public let database = "lurus_logs"
    public let directory: URL
    public var url: String { "http://127.0.0.1:\(self.httpPort)" }

    private let executable: URL
    private let process: Mutex<Process?>

    private init(executable: URL, directory: URL, httpPort: Int, tcpPort: Int, password: String) throws {
        self.executable = executable
        self.directory = directory
        self.httpPort = httpPort
        self.password = password
        self.process = Mutex(nil)
        let path = directory.path
        try """
        <?xml version="1.0"?>
        <yandex>
          <logger><level>warning</level><log>\(path)/server.log</log><errorlog>\(path)/error.log</errorlog></logger>
          <http_port>\(httpPort)</http_port>
          <tcp_port>\(tcpPort)</tcp_port>
          <listen_host>127.0.0.1</listen_host>
          <path>\(path)/data/</path>
          <tmp_path>\(path)/tmp/</tmp_path>
          <user_files_path>\(path)/user_files/</user_files_path>
          <format_schema_path>\(path)/format_schemas/</format_schema_path>
          <users_config>\(path)/users.xml</users_config>
          <default_profile>default</default_profile>
          <default_database>default</default_database>
          <mark_cache_size>53687091</mark_cache_size>
          <uncompressed_cache_size>53687091</uncompressed_cache_size>
          <timezone>UTC</timezone>
        </yandex>
        """.write(to: directory.appendingPathComponent("config.xml"), atomically: true, encoding: .utf8)
        try """
        <?xml version="1.0"?>
        <yandex>
          <profiles><default></default></profiles>
          <users>
            <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
            <lurus>
              <password>\(password)</password><networks><ip>127.0.0.1</ip></networks>
              <profile>default</profile><quota>default</quota>
              <allow_databases><database>lurus_logs</database></allow_databases>
            </lurus>
          </users>
          <quotas><default></default></quotas>
        </yandex>
        """.write(to: directory.appendingPathComponent("users.xml"), atomically: true, encoding: .utf8)
    }

    deinit {
        self.stop()
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Starts a server, waits until it answers (at most 30 seconds) and makes the database `lurus_logs`
    /// (as `up` does).
    public static func start() async throws -> ClickHouseServerProcess {
        try await LocalServer.offThePool {
            let executable = try LocalServer.executable(
                "clickhouse-server",
                missing: "clickhouse-server is not installed: run scripts/setup (apt-get install clickhouse-server)"
            )
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("clickhouse-test-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let server = try ClickHouseServerProcess(
                executable: executable,
                directory: directory,
                httpPort: try LocalServer.unusedPort(),
                tcpPort: try LocalServer.unusedPort(),
                password: NATSServerProcess.randomPassword()
            )
            try server.launch()
            _ = try server.query("CREATE DATABASE IF NOT EXISTS lurus_logs")
            return server
        }
    }

    /// Stops the server at once (SIGKILL, as a crash would: it inherits the test process's signal mask, in
    /// which SIGTERM may be blocked) and waits for it. Inserted parts survive a `start()`.
    public func stop() {
        guard let process = self.process.withLock({ $0.take() }), process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        LocalServer.waitUntilGone(process.processIdentifier)
    }

    public func signal(_ signal: Int32) {
        self.process.withLock { process in
            if let process, process.isRunning { Glibc.kill(process.processIdentifier, signal) }
        }
    }

    /// Starts a stopped server again on the same port and data.
    public func start() async throws {
        try await LocalServer.offThePool { try self.launch() }
    }

    /// Runs `sql` as `default` over HTTP (for a test's own checks); the answer, or an error with ClickHouse's
    /// message. A plain socket, not curl: Foundation's `waitUntilExit` sometimes never sees a short-lived
    /// child exit.
    @discardableResult
    public func query(_ sql: String) throws -> String {
        let (status, text) = try LocalServer.httpPost(
            port: self.httpPort,
            path: "/",
            body: Array(sql.utf8),
            timeout: 60
        )
        guard status == 200 else {
            throw NATSServerError(
                "ClickHouse on port \(self.httpPort) refused \(sql.prefix(200)) (HTTP \(status)): \(text)"
            )
        }
        return text
    }

    private func launch() throws {
        let process = Process()
        process.executableURL = self.executable
        process.arguments = ["--config-file=\(self.directory.appendingPathComponent("config.xml").path)"]
        process.currentDirectoryURL = self.directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            if LocalServer.acceptsConnections(port: self.httpPort), (try? self.query("SELECT 1")) == "1\n" { return }
            usleep(50_000)
        }
        let running = process.isRunning
        self.stop()
        throw NATSServerError(
            "clickhouse-server on port \(self.httpPort) "
                + (running
                    ? "did not answer within 30 s" : "exited with status \(process.terminationStatus)")
                + "; its log ends with:\n" + LocalServer.tail(of: self.directory.appendingPathComponent("error.log"))
        )
    }
}
