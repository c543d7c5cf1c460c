/// A command as an argument vector, rendered to one POSIX shell string only by `Shell.render`.
///
/// Arguments are bytes, not Strings, so paths that are not UTF-8 survive the trip unchanged.
public struct ShellCommand: Sendable, Hashable, CustomStringConvertible {
    public var arguments: [[UInt8]]

    public init(_ arguments: [String]) {
        self.arguments = arguments.map { Array($0.utf8) }
    }

    public init(bytes arguments: [[UInt8]]) {
        self.arguments = arguments
    }

    /// The shell string, for logs; never contains secrets because secrets never go in argv.
    public var description: String { String(decoding: Shell.render(self), as: UTF8.self) }
}

/// The one place where argv becomes a shell command line.
public enum Shell {
    /// Quotes one argument so any POSIX shell reads it back as exactly these bytes.
    ///
    /// Everything goes inside single quotes, where no character is special, and each `'` becomes `'\''`
    /// (close the quote, an escaped quote, reopen). Plain words (letters, digits, `-_./=:@,+%`) are left
    /// bare for readable logs, except those starting with `~` (tilde expansion) or `=` (zsh's `=cmd`
    /// expansion), which are quoted. A leading `-` stays bare: quoting cannot stop a program from reading
    /// it as an option (the shell removes the quotes), so commands put `--` before paths instead.
    public static func quote(_ argument: [UInt8]) -> [UInt8] {
        if !argument.isEmpty, argument.allSatisfy(isPlain), argument[0] != UInt8(ascii: "~"),
            argument[0] != UInt8(ascii: "=")
        {
            return argument
        }
        var quoted: [UInt8] = [UInt8(ascii: "'")]
        for byte in argument {
            if byte == UInt8(ascii: "'") {
                quoted += Array("'\\''".utf8)
            } else {
                quoted.append(byte)
            }
        }
        quoted.append(UInt8(ascii: "'"))
        return quoted
    }

    public static func quote(_ argument: String) -> String {
        String(decoding: quote(Array(argument.utf8)), as: UTF8.self)
    }

    /// The whole command: each argument quoted, separated by spaces.
    public static func render(_ command: ShellCommand) -> [UInt8] {
        var line: [UInt8] = []
        for (index, argument) in command.arguments.enumerated() {
            if index > 0 { line.append(UInt8(ascii: " ")) }
            line += quote(argument)
        }
        return line
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "="),
            UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: ","), UInt8(ascii: "+"), UInt8(ascii: "%"):
            true
        default:
            false
        }
    }
}
