import ArgumentParser
import Foundation
import Logging
import LurusBackup
import LurusComponents
import LurusEngine
import LurusInventory
import LurusRemote

/// What `backup` and `restore` share: the inventory's `backup:` (an inventory without one is a clear
/// error), the store's target with its credentials, the scripts, and an ssh session to run them over.
struct BackupSession {
    var inventory: Inventory
    var settings: BackupSettings
    var redactor: Redactor

    static func load(_ global: GlobalOptions, logger: Logger) async throws -> BackupSession {
        let inventory = try global.loadInventory(logger: logger)
        guard let settings = inventory.backup else {
            Terminal.standardError.write(
                "error: \(inventory.path) has no backup: block (add one with destination: minio, or an S3 endpoint; see doc/inventory.md)"
            )
            throw ExitCode(1)
        }
        return BackupSession(inventory: inventory, settings: settings, redactor: await Redactor.forRun(of: inventory))
    }

    /// Runs `body` with a `BackupRun` over one ssh session; a problem before any work (a secret, the
    /// templates, MinIO's address) is printed and exits 1 with nothing done.
    func with<Value: Sendable>(
        logger: Logger,
        segmentBytes: Int,
        say: @escaping @Sendable (String) -> Void,
        _ body: @escaping @Sendable (BackupRun, OpenSSHSession) async throws -> Value
    ) async throws -> Value {
        let inventory = self.inventory
        let settings = self.settings
        let redactor = self.redactor
        return try await OpenSSHSession.with(inventory, options: OpenSSHSession.Options(), logger: logger) { session in
            let run: BackupRun
            do {
                let secrets = SecretStore(inventory: inventory)
                let target = try await S3Target.resolve(
                    settings,
                    inventory: inventory,
                    secrets: secrets,
                    minioAddress: try await Self.minioAddress(inventory, settings: settings, session: session)
                )
                var identity: Secret?
                if let reference = settings.identity {
                    identity = try await secrets.value(of: reference, as: "backup/identity")
                }
                let known = await Redactor.forRun(of: inventory, adding: target.secrets + (identity.map { [$0] } ?? []))
                run = BackupRun(
                    inventory: inventory,
                    settings: settings,
                    scripts: BackupScripts(templates: try await TemplateLibrary.locate(), target: target),
                    transport: session,
                    tool: "lurusctl \(Lurusctl.version)",
                    segmentBytes: segmentBytes,
                    identity: identity,
                    say: { say(known.redact($0)) }
                )
            } catch {
                Terminal.standardError.write(redactor.redact("error: \(error); nothing was done"))
                throw ExitCode(1)
            }
            return try await body(run, session)
        }
    }

    /// MinIO's mesh address when backups go there: the inventory's, else (Tailscale) asked of its node.
    static func minioAddress(
        _ inventory: Inventory,
        settings: BackupSettings,
        session: OpenSSHSession
    ) async throws
        -> String?
    {
        guard settings.destination == .minio, let node = inventory.nodes(running: .minio).first else { return nil }
        if let known = inventory.meshAddress(of: node) { return known.description }
        let result = try await session.run(RemoteCommand(shell: "tailscale ip -4", timeout: .seconds(15)), on: node)
        let address = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").first.map(String.init)
        guard result.succeeded, let address, !address.isEmpty else {
            throw BackupError(
                "MinIO's node \(node.name) has no Tailscale address",
                fix: "bring the mesh up with lurusctl up"
            )
        }
        return address
    }
}

/// `--only` for backup, verify and restore.
struct BackupComponentOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only these components (postgres, clickhouse, k3s; repeat or separate with commas).",
            valueName: "component"
        )
    )
    var only: [String] = []

    var components: [BackupComponent] {
        get throws {
            try self.only.flatMap { $0.split(separator: ",") }.map { word in
                guard let component = BackupComponent(rawValue: String(word)) else {
                    throw ValidationError("--only '\(word)' is not a component: write postgres, clickhouse or k3s")
                }
                return component
            }
        }
    }

    /// A backup id given on the command line, or a usage error saying what one looks like.
    static func backupID(_ text: String?) throws -> BackupID? {
        guard let text else { return nil }
        guard let id = BackupID(text) else {
            throw ValidationError("'\(text)' is not a backup id: YYYYMMDDTHHMMSSZ, as lurusctl backup list shows")
        }
        return id
    }
}
