import Foundation

/// The generated secrets of one cluster: one 0600 file per secret under the state directory's `secrets/`
/// (0700), made once and read ever after.
///
/// A new value is written to a temporary file beside its target and `link(2)`ed into place: `link` fails
/// when the target exists, so when two processes race, the first one's value wins and the second reads it.
/// Callers in one process are serialized by `SecretStore`.
struct GeneratedSecretFiles: Sendable {
    var state: StateDirectory

    /// The folder of generated secrets.
    var directory: String { self.state.file("secrets") }

    /// Where the secret `name` is kept.
    func path(of name: String) -> String { "\(self.directory)/\(name)" }

    /// The stored value of `name`, or nil when none was generated yet.
    func read(_ name: String) throws(SecretError) -> [UInt8]? {
        let path = self.path(of: name)
        // POSIX reads, so a file that is not there (ENOENT) is told apart from one that cannot be read.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw SecretError(
                name,
                "cannot read \(path): \(String(cString: strerror(errno)))",
                hint: "check its permissions (it should be 0600, yours)"
            )
        }
        defer { close(descriptor) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SecretError(
                    name,
                    "cannot read \(path): \(String(cString: strerror(errno)))",
                    hint: "check the file"
                )
            }
            if count == 0 { break }
            data += buffer[..<count]
        }
        let bytes = Array(data).droppingTrailingNewline()
        guard !bytes.isEmpty else {
            throw SecretError(name, "\(path) is empty", hint: "delete it and lurusctl generates a new value")
        }
        return bytes
    }

    /// The stored value of `name`, generated and stored first when there is none.
    func readOrCreate(_ name: String) throws(SecretError) -> (bytes: [UInt8], created: Bool) {
        if let existing = try self.read(name) { return (existing, false) }
        let folder = try self.prepareFolder(for: name)
        let target = self.path(of: name)
        let value = Self.newValue()
        let temporary = "\(folder)/.\((name as NSString).lastPathComponent).\(Self.token()).tmp"
        defer { unlink(temporary) }
        try Self.writeNew(temporary, value, name: name)
        if link(temporary, target) != 0 {
            let failure = errno
            // Another process made it first: its value is the one.
            if failure == EEXIST, let theirs = try self.read(name) { return (theirs, false) }
            throw SecretError(
                name,
                "cannot store the generated value in \(target): \(String(cString: strerror(failure)))",
                hint: "check that \(folder) is yours and writable"
            )
        }
        return (value, true)
    }

    /// Creates the secret's folder (0700, like every folder above it up to the state directory).
    private func prepareFolder(for name: String) throws(SecretError) -> String {
        var folder = "secrets"
        do {
            try self.state.prepare(folder)
            for part in name.split(separator: "/").dropLast() {
                folder += "/\(part)"
                try self.state.prepare(folder)
            }
            return self.state.file(folder)
        } catch {
            throw SecretError(
                name,
                "cannot create \(self.directory): \(error.localizedDescription)",
                hint: "check that \(self.state.path) is yours and writable"
            )
        }
    }

    /// Writes `value` into a file that must not exist yet, mode 0600, flushed to disk.
    private static func writeNew(_ path: String, _ value: [UInt8], name: String) throws(SecretError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SecretError(
                name,
                "cannot create \(path): \(String(cString: strerror(errno)))",
                hint: "check that its folder is yours and writable"
            )
        }
        defer { close(descriptor) }
        let written = value.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == value.count, fchmod(descriptor, 0o600) == 0, fsync(descriptor) == 0 else {
            throw SecretError(name, "cannot write \(path)", hint: "check the disk has room")
        }
    }

    /// 32 random bytes as URL-safe base64 without padding: 43 characters of `A-Z a-z 0-9 - _`.
    static func newValue() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var random: [UInt8] = []
        for _ in 0..<4 { withUnsafeBytes(of: generator.next() as UInt64) { random += $0 } }
        let encoded = Data(random).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return Array(encoded.utf8)
    }

    /// A short random hex token for temporary file names.
    private static func token() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}

extension [UInt8] {
    /// Without one trailing `\n` (or `\r\n`), as a file written with an editor or `echo` ends.
    func droppingTrailingNewline() -> [UInt8] {
        var bytes = self
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes
    }
}
