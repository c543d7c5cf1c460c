import Foundation
import LurusInventory
import Subprocess
import SystemPackage

extension OpenSSHSession {
    /// Hands this terminal to `ssh` on `node` (a login shell, or `command` when given), through the same
    /// settings as every other command: jump host, key, known_hosts, the node's master. Returns ssh's exit
    /// status. Connects first, so a refused key or an unknown host is reported like anywhere else.
    public func interactive(on node: Node, command: [String]) async throws -> Int32 {
        try await self.connect(node)
        var arguments = ["-F", self.configFilePath]
        arguments.append(command.isEmpty ? "-t" : "-T")
        arguments.append(SSHConfigRenderer.alias(of: node))
        if !command.isEmpty { arguments += ["--"] + command }
        // The remote side gets Ctrl-C through the terminal; this process must not die of it meanwhile.
        let previous = signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, previous) }
        let result = try await Subprocess.run(
            .path(FilePath(self.sshExecutablePath)),
            arguments: Arguments(arguments),
            input: .currentStandardInput,
            output: .currentStandardOutput,
            error: .currentStandardError
        )
        switch result.terminationStatus {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }
}
