import ArgumentParser
import LurusRemote

/// The root command: it only names the verbs. Each verb is a file in `Verbs/`.
public struct Lurusctl: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "lurusctl",
        abstract: "Stand up and run a small self-hosted LLM-serving cluster from a node inventory.",
        discussion: """
            The inventory is inventory/lurus.yaml unless -i PATH or LURUS_INVENTORY names another; see \
            doc/inventory.md.

            Exit status: 0 success; 1 the operation failed; 64 bad command line; 65 the inventory has errors \
            (each printed as FILE:LINE:COLUMN: KEY.PATH: problem (fix)); 66 the inventory cannot be read; 130 \
            interrupted (Ctrl-C).
            """,
        version: Self.version,
        subcommands: [
            Validate.self, InventoryCommand.self, Exec.self, SSH.self, Facts.self, PlanCommand.self, Up.self,
            Build.self, Deploy.self,
            Rollback.self, Releases.self, Lock.self,
            Backup.self, Restore.self, Health.self,
            Audit.self, Secrets.self,
        ]
    )

    public init() {}
}

extension Lurusctl {
    /// What the process sets before any verb runs: SIGPIPE ignored, so that a write to an agent's ssh that
    /// has just ended, or to a reader of our output that went away, is an error handled where it happens
    /// (`Terminal`, `NodeAgent`) instead of the end of the run.
    public static func prepareProcess() {
        RemoteAgent.ignoreBrokenPipes()
    }
}
