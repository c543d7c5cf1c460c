/// A fixed POSIX shell script run as `sh -c SCRIPT NAME ARGUMENTS...`: the script never contains a value,
/// every value is a positional parameter, so the one quoting function (`Shell.render`) is all that stands
/// between a hostile path and the shell.
public struct ShellScript: Sendable, Hashable {
    public var name: String
    public var script: String
    public var arguments: [[UInt8]]

    public init(_ name: String, _ script: String, _ arguments: [String] = []) {
        self.name = name
        self.script = script
        self.arguments = arguments.map { Array($0.utf8) }
    }

    public var command: ShellCommand {
        ShellCommand(
            bytes: [Array("sh".utf8), Array("-c".utf8), Array(self.script.utf8), Array(self.name.utf8)] + self.arguments
        )
    }
}
