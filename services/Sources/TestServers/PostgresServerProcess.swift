import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server (Debian's `postgresql` package) in a fresh cluster made by `initdb` in a
/// temporary directory, on a free port of 127.0.0.1 with password (SCRAM) authentication, for one test.
/// Stopped on `stop()` or deinit; `kill()` ends it as a power cut would, `restart()` starts it again on
/// the same data.
///
/// PostgreSQL refuses to run as root, and CI runs as root: then the cluster belongs to the `postgres`
/// user and both `initdb` and the server run as it (`runuser`).
public final class PostgresServerProcess: Sendable {
    public let port: Int
    public let user: String
    public let password: String
    public let database: String
    public let directory: URL

    private let binaries: URL
    private let dataDirectory: URL
    private let process: Mutex<Process?>

    private init(binaries: URL, directory: URL, port: Int, user: String, password: String) {
        self.binaries = binaries
        self.directory = directory
        self.dataDirectory = directory.appendingPathComponent("data", isDirectory: true)
        self.port = port
        self.user = user
        self.password = password
        self.database = "lurus"
        self.process = Mutex(nil)
    }

    deinit {
        // A kill, not a fast shutdown (the data goes with the directory), and no wait: a deinit runs on a
        // thread of Swift concurrency's pool, and every second it blocks there delays every other test's
        // connections. A killed server writes nothing more, so its directory can go at once.
        _ = self.signal(SIGKILL)
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Makes a cluster with `user` (a superuser) and a database `lurus`, starts the server and waits until
    /// it accepts connections (at most 20 seconds).
    public static func start(
        user: String = "lurus",
        password: String = NATSServerProcess.randomPassword()
    ) async throws -> PostgresServerProcess {
        try await LocalServer.offThePool { try Self.startBlocking(user: user, password: password) }
    }

    private static func startBlocking(user: String, password: String) throws -> PostgresServerProcess {
        let binaries = try Self.findBinaries()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("postgres-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = PostgresServerProcess(
            binaries: binaries,
            directory: directory,
            port: try LocalServer.unusedPort(),
            user: user,
            password: password
        )
        try server.makeCluster()
        try server.launch()
        try server.run(
            server.binaries.appendingPathComponent("createdb"),
            [
                "-h", "127.0.0.1", "-p", String(server.port), "-U", user, server.database,
            ],
            environment: ["PGPASSWORD": password]
        )
        return server
    }

    /// Stops the server (a fast shutdown: SIGINT, then SIGKILL after 10 seconds) and waits for it.
    public func stop() {
        self.end(with: SIGINT)
    }

    /// Ends the server with SIGKILL, as a crash would; committed transactions survive a `restart()`.
    public func kill() {
        self.end(with: SIGKILL)
    }

    /// Starts the server again on the same port and data.
    public func restart() async throws {
        try await LocalServer.offThePool {
            self.stop()
            try self.launch()
        }
    }

    /// Runs `sql` with `psql` as the test's user (for a test's own checks and set-up); its output. Off
    /// Swift concurrency's pool, as `psql` blocks until it ends.
    @discardableResult
    public func psql(_ sql: String) async throws -> String {
        try await LocalServer.offThePool { try self.psqlBlocking(sql) }
    }

    private func psqlBlocking(_ sql: String) throws -> String {
        try self.run(
            self.binaries.appendingPathComponent("psql"),
            [
                "-h", "127.0.0.1", "-p", String(self.port), "-U", self.user, "-d", self.database, "-X", "-q",
                "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql,
            ],
            environment: ["PGPASSWORD": self.password]
        )
    }

    // MARK: Internals

    private var asRoot: Bool { getuid() == 0 }

    private func makeCluster() throws {
        let passwordFile = self.directory.appendingPathComponent("password")
        try self.password.write(to: passwordFile, atomically: true, encoding: .utf8)
        if self.asRoot {
            for path in [self.directory.path, passwordFile.path] {
                try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: path)
            }
        }
        try self.run(
            self.binaries.appendingPathComponent("initdb"),
            [
                "-D", self.dataDirectory.path, "-U", self.user, "--pwfile", passwordFile.path,
                "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C", "--no-sync",
            ]
        )
        try FileManager.default.removeItem(at: passwordFile)
    }

    private func launch() throws {
        let logFile = self.directory.appendingPathComponent("postgres.log")
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        defer { try? log.close() }
        log.seekToEndOfFile()
        let process = self.command(
            self.binaries.appendingPathComponent("postgres"),
            [
                "-D", self.dataDirectory.path, "-p", String(self.port), "-k", self.directory.path,
                "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
            ]
        )
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process.withLock { $0 = process }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, process.isRunning {
            if self.ready() { return }
            usleep(50_000)
        }
        let running = process.isRunning
        self.stop()
        throw NATSServerError(
            "postgres on port \(self.port) "
                + (running
                    ? "did not accept connections within 20 s" : "exited with status \(process.terminationStatus)")
                + "; its log ends with:\n" + LocalServer.tail(of: logFile)
        )
    }

    /// Whether the server accepts sessions (`pg_isready`), not only TCP connections.
    private func ready() -> Bool {
        guard LocalServer.acceptsConnections(port: self.port) else { return false }
        return
            (try? self.run(
                self.binaries.appendingPathComponent("pg_isready"),
                ["-h", "127.0.0.1", "-p", String(self.port), "-U", self.user, "-q"]
            )) != nil
    }

    /// The server's own process id, from `postmaster.pid` (under `runuser` the launched process is not
    /// the server).
    private var serverPID: pid_t? {
        let file = self.dataDirectory.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: file, encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = pid_t(first)
        else { return nil }
        return pid
    }

    private func end(with signal: Int32) {
        guard let (process, pid, children) = self.signal(signal) else { return }
        if !LocalServer.waitForExit(of: process, seconds: 10) {
            Glibc.kill(pid, SIGKILL)
            _ = LocalServer.waitForExit(of: process, seconds: 10)
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, children.contains(where: { Glibc.kill($0, 0) == 0 }) {
            usleep(20_000)
        }
    }

    /// Sends `signal` to the running server, if any, and forgets it; what was signalled. A crash takes the
    /// server's children (backends, the checkpointer) with it: with SIGKILL they are killed too, so that
    /// none holds the shared memory that would keep a new server out.
    private func signal(_ signal: Int32) -> (process: Process, pid: pid_t, children: [pid_t])? {
        guard let process = self.process.withLock({ $0.take() }), process.isRunning else { return nil }
        let pid = self.serverPID ?? process.processIdentifier
        let children = signal == SIGKILL ? Self.children(of: pid) : []
        Glibc.kill(pid, signal)
        for child in children { Glibc.kill(child, SIGKILL) }
        return (process, pid, children)
    }

    /// The processes whose parent is `pid`, from /proc.
    private static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let child = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (name) state ppid ...".
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }

    private func command(_ executable: URL, _ arguments: [String]) -> Process {
        let process = Process()
        if self.asRoot {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.standardInput = FileHandle.nullDevice
        // Inherited settings would point the tools at another server.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["LC_ALL"] = "C"
        process.environment = environment
        return process
    }

    /// Runs a tool to its end; its standard output, or an error with its output when it fails.
    @discardableResult
    private func run(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String] = [:]
    ) throws
        -> String
    {
        let process = self.command(executable, arguments)
        process.environment?.merge(environment) { $1 }
        // A file, not a pipe: a server another test spawns at the same moment can inherit a pipe's write
        // end (Foundation closes the descriptors it saw open just before the spawn), and reading the pipe
        // to its end would then wait for that server to stop: a test hung for good.
        let outputFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("lurus-pg-tool-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outputFile.path, contents: nil) else {
            throw NATSServerError("cannot create \(outputFile.path) for \(executable.lastPathComponent)'s output")
        }
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let output = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            try? output.close()
            throw error
        }
        try? output.close()
        let status = LocalServer.exitStatus(of: process)
        if status == nil {
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw NATSServerError(
                "\(executable.lastPathComponent) "
                    + (status.map { "failed (status \($0))" } ?? "did not end within 60 s") + ": \(text)"
            )
        }
        return text
    }

    private static func findBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .compactMap(Int.init).sorted()
        guard let newest = versions.last else {
            throw NATSServerError(
                "PostgreSQL's server is not installed (no /usr/lib/postgresql/VERSION/bin): run scripts/setup "
                    + "(apt-get install postgresql)"
            )
        }
        return root.appendingPathComponent("\(newest)/bin", isDirectory: true)
    }
}
