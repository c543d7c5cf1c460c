import ArgumentParser
import Foundation
import Logging
import LurusEngine
import LurusInventory
import LurusRemote

/// `lurusctl lock`: see or free the cluster lock that keeps two runs from changing the cluster at once.
struct Lock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or release the cluster lock.",
        discussion: """
            Commands that change the cluster take the lock first: the folder /var/lib/lurus/lock on the lock \
            node (the k3s-server node, else the first node of the inventory), holding who took it, from which \
            host, when and for what.
            """,
        subcommands: [Status.self, Release.self]
    )

    /// `lurusctl lock status`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show who holds the cluster lock, if anyone.",
            discussion: "Exits 0 whether or not the cluster is locked, 1 if the lock node cannot be reached."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var connection: LockConnectionOptions

        @Flag(help: "Print a JSON object instead of text.")
        var json = false

        func run() async throws {
            let logger = self.global.makeLogger()
            let inventory = try self.global.loadInventory(logger: logger)
            let node = ClusterLock.lockNode(in: inventory)
            let holder = try await self.connection.run(inventory, logger: logger) { session in
                try await ClusterLock.status(inventory: inventory, transport: session)
            }
            if self.json {
                try Terminal.standardOutput.writeJSON(LockStatusReport(node: node.name, holder: holder))
            } else if let holder {
                Terminal.standardOutput.write("locked on \(node.name) (\(node.address)) by \(holder.summary())")
                if !holder.inventory.isEmpty { Terminal.standardOutput.write("inventory: \(holder.inventory)") }
                if let note = holder.deadNote { Terminal.standardOutput.write(note) }
            } else {
                Terminal.standardOutput.write("not locked (the lock node is \(node.name), \(node.address))")
            }
        }
    }

    /// `lurusctl lock release`.
    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the cluster lock, whoever holds it: for a run that died or was killed.",
            discussion: "Prints whose lock it removed. Exits 1 if the lock node cannot be reached."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var connection: LockConnectionOptions

        func run() async throws {
            let logger = self.global.makeLogger()
            let inventory = try self.global.loadInventory(logger: logger)
            let node = ClusterLock.lockNode(in: inventory)
            let removed = try await self.connection.run(inventory, logger: logger) { session in
                try await ClusterLock.forceRelease(inventory: inventory, transport: session)
            }
            if let removed {
                Terminal.standardOutput.write("released the lock on \(node.name), held by \(removed.summary())")
            } else {
                Terminal.standardOutput.write("not locked on \(node.name): nothing to release")
            }
        }
    }
}

/// The connection flag of the `lock` verbs (they always talk to the lock node, so there is no `--on`).
struct LockConnectionOptions: ParsableArguments {
    @Flag(help: "Record the host key of a node seen for the first time (a changed key is still refused).")
    var trustNewHosts = false

    /// Runs `body` over a session to the inventory's nodes; an error is printed and exits 1.
    func run<Result: Sendable>(
        _ inventory: Inventory,
        logger: Logger,
        _ body: @escaping @Sendable (OpenSSHSession) async throws -> Result
    ) async throws -> Result {
        var settings = OpenSSHSession.Options()
        settings.trustNewHosts = self.trustNewHosts
        let options = settings
        do {
            return try await Interrupts.cancelling {
                try await OpenSSHSession.with(inventory, options: options, logger: logger, body)
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            Terminal.standardError.write("\(error)")
            throw ExitCode(1)
        }
    }
}

/// `lock status --json`.
struct LockStatusReport: Encodable {
    var node: String
    var holder: LockHolder?

    enum CodingKeys: String, CodingKey {
        case node, locked, holder
        case holderGone = "holder_gone"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.node, forKey: .node)
        try container.encode(self.holder != nil, forKey: .locked)
        try container.encode(self.holder, forKey: .holder)
        try container.encode(self.holder?.isLikelyDead ?? false, forKey: .holderGone)
    }
}
