import Foundation
import LurusInventory
import LurusRemote
import Subprocess
import SystemPackage

/// Reads the value behind an `env:`, `file:` or `cmd:` reference on this machine.
///
/// Errors name the secret, the variable, file or exit status, never what was read.
struct SecretReferenceResolver: Sendable {
    /// The environment `env:` reads and `cmd:` commands run with.
    var environment: [String: String]
    /// Resolves `file:` paths: `~` is the home directory, relative paths start at the inventory's folder.
    var paths: PathResolver
    /// Where the inventory is, for hints.
    var inventoryPath: String

    /// How long a `cmd:` command may run.
    static let commandTimeout: Duration = .seconds(30)

    init(inventory: Inventory, environment: [String: String]) {
        self.environment = environment
        self.inventoryPath = inventory.path
        self.paths = PathResolver(
            inventoryDirectory: URL(fileURLWithPath: inventory.path).deletingLastPathComponent().standardizedFileURL
                .path,
            homeDirectory: environment["HOME"] ?? NSHomeDirectory()
        )
    }

    func resolve(_ reference: SecretReference, name: String) async throws(SecretError) -> [UInt8] {
        switch reference {
        case .environment(let variable): try self.variable(variable, name: name)
        case .file(let path): try self.file(path, name: name)
        case .command(let command): try await self.command(command, name: name)
        }
    }

    private var change: String { "or change it under secrets: in \(self.inventoryPath)" }

    private func variable(_ variable: String, name: String) throws(SecretError) -> [UInt8] {
        guard let value = self.environment[variable] else {
            throw SecretError(name, "environment variable \(variable) is not set", hint: "export it, \(self.change)")
        }
        guard !value.isEmpty else {
            throw SecretError(name, "environment variable \(variable) is empty", hint: "set it, \(self.change)")
        }
        return Array(value.utf8)
    }

    private func file(_ written: String, name: String) throws(SecretError) -> [UInt8] {
        let path = self.paths.resolve(written)
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such file"
            throw SecretError(name, "\(reason): \(path)", hint: "create it with mode 0600, \(self.change)")
        }
        let bytes = Array(data).droppingTrailingNewline()
        guard !bytes.isEmpty else {
            throw SecretError(name, "\(path) is empty", hint: "write the value into it, \(self.change)")
        }
        return bytes
    }

    /// Runs `command` with `/bin/sh -c` in the inventory's folder; its standard error goes to ours (a password
    /// manager may ask something there), its standard output, less a trailing newline, is the value.
    private func command(_ command: String, name: String) async throws(SecretError) -> [UInt8] {
        var platform = PlatformOptions()
        platform.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
        let configuration = Configuration(
            executable: .path("/bin/sh"),
            arguments: ["-c", command],
            environment: .custom(
                Dictionary(
                    uniqueKeysWithValues: self.environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }
                )
            ),
            workingDirectory: FilePath(self.paths.inventoryDirectory),
            platformOptions: platform
        )
        let outcome: (status: TerminationStatus, output: [UInt8])?
        do {
            outcome = try await withThrowingTaskGroup(of: (TerminationStatus, [UInt8])?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        configuration,
                        output: .bytes(limit: 1 << 20),
                        error: .currentStandardError
                    )
                    return (result.terminationStatus, result.standardOutput)
                }
                group.addTask {
                    try await Task.sleep(for: Self.commandTimeout)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        } catch is CancellationError {
            throw SecretError(name, "interrupted while running its command", hint: "run lurusctl again")
        } catch {
            // Never the output: only that the command could not be run.
            throw SecretError(
                name,
                "cannot run its command with /bin/sh",
                hint: "check the cmd: reference, \(self.change)"
            )
        }
        guard let outcome else {
            throw SecretError(
                name,
                "its command did not finish within \(Self.commandTimeout) and was stopped",
                hint: "run it yourself to see where it waits (a prompt?), \(self.change)"
            )
        }
        guard case .exited(0) = outcome.status else {
            let status =
                switch outcome.status {
                case .exited(let code): "exited with status \(code)"
                case .signaled(let signal): "was killed by signal \(signal)"
                }
            throw SecretError(name, "its command \(status)", hint: "run it yourself to see why, \(self.change)")
        }
        let bytes = outcome.output.droppingTrailingNewline()
        guard !bytes.isEmpty else {
            throw SecretError(name, "its command printed nothing", hint: "run it yourself to check, \(self.change)")
        }
        return bytes
    }

    /// A warning when the `file:` reference's file is readable by others than its owner.
    func permissionWarning(_ reference: SecretReference, name: String) -> SecretError? {
        guard case .file(let written) = reference else { return nil }
        let path = self.paths.resolve(written)
        guard let mode = FileMode.of(path), mode & 0o077 != 0 else { return nil }
        return SecretError(
            name,
            "\(path) can be read by others (mode \(FileMode.octal(mode)))",
            hint: "chmod 600 \(Shell.quote(path))"
        )
    }
}

/// Permission bits of files, for listings and warnings.
enum FileMode {
    /// The permission bits of `path`, or nil when it cannot be stat()ed.
    static func of(_ path: String) -> Int? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Int(status.st_mode) & 0o7777
    }

    /// `0600`.
    static func octal(_ mode: Int) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
