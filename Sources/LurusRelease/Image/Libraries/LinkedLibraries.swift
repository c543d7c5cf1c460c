import SystemPackage

/// The shared libraries a binary loads, read from `ldd`'s output.
public struct LinkedLibraries: Sendable, Hashable {
    /// A library by its soname and the file the loader resolved it to.
    public struct Library: Sendable, Hashable {
        /// `libc.so.6`.
        public var name: String
        /// `/lib/x86_64-linux-gnu/libc.so.6`.
        public var path: FilePath

        public init(name: String, path: FilePath) {
            self.name = name
            self.path = path
        }
    }

    /// The libraries, in ldd's order.
    public var libraries: [Library]
    /// The dynamic loader: the path the binary names (its ELF interpreter) and the file that holds it.
    public var loader: Library?

    public init(libraries: [Library], loader: Library?) {
        self.libraries = libraries
        self.loader = loader
    }

    /// A binary that loads nothing: ldd said `statically linked` or `not a dynamic executable`.
    public var isStatic: Bool { self.libraries.isEmpty && self.loader == nil }

    /// Reads `output`, what `ldd binary` printed.
    ///
    /// `linux-vdso.so.1` (the kernel's, with no file) is left out. A library ldd could not find is an error
    /// naming every one missing.
    public static func parse(lddOutput output: String, binary: FilePath) throws(OCIImageError) -> LinkedLibraries {
        var libraries: [Library] = []
        var loader: Library?
        var missing: [String] = []
        for rawLine in output.split(separator: "\n") {
            let line = Self.withoutAddress(rawLine.trimmingWhitespace())
            if line.isEmpty || line == "statically linked" || line == "not a dynamic executable" { continue }
            let arrow = line.firstRange(of: " =>")
            let name = String(arrow.map { line[..<$0.lowerBound] } ?? line[...])
            // The kernel's vDSO has no file: `linux-vdso.so.1 (0x…)`, or `linux-vdso.so.1 =>  (0x…)` on old glibc.
            if name.hasPrefix("linux-vdso.so.") || name.hasPrefix("linux-gate.so.") { continue }
            guard let arrow else {
                guard name.hasPrefix("/") else { throw .unreadableLddLine(String(rawLine)) }
                loader = Library(name: name, path: FilePath(name))
                continue
            }
            let target = String(line[arrow.upperBound...].drop { $0 == " " })
            if target == "not found" {
                missing.append(name)
            } else if !target.hasPrefix("/") {
                throw .unreadableLddLine(String(rawLine))
            } else if name.hasPrefix("/") {
                loader = Library(name: name, path: FilePath(target))
            } else {
                libraries.append(Library(name: name, path: FilePath(target)))
            }
        }
        guard missing.isEmpty else { throw .missingLibraries(binary: binary, names: missing) }
        return LinkedLibraries(libraries: libraries, loader: loader)
    }

    /// The line without its load address, ` (0x00007f85da232000)`.
    private static func withoutAddress(_ line: String) -> String {
        guard line.hasSuffix(")"), let open = line.lastIndex(of: "("), line[open...].hasPrefix("(0x"),
            line[..<open].hasSuffix(" ")
        else { return line }
        return String(line[..<open].dropLast())
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        let isBlank = { (character: Character) in character == " " || character == "\t" || character == "\r" }
        guard let first = self.firstIndex(where: { !isBlank($0) }), let last = self.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(self[first...last])
    }
}
