import SystemPackage

/// The 512-byte header blocks of one tar member, in the POSIX pax/ustar format.
///
/// Written by hand: no tar library is in this machine's package set. Every field that could vary from one
/// build to the next is fixed: uid and gid 0, empty user and group names, device numbers 0, and the
/// modification time `TarHeader.modificationTime` (1 s after the epoch, as Jib does: some tools read a
/// time of 0 as "unset"). There is no atime or ctime. A pax extended header (`x`) comes first only when the
/// path or the link target is longer than the 100 bytes a ustar field holds; it then carries `path` and
/// `linkpath` records, UTF-8 as pax requires, and the ustar fields hold a cut copy for old readers.
struct TarHeader: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case regularFile(size: Int)
        case directory
        case symbolicLink(target: String)
    }

    /// The path in the archive, without a trailing slash.
    var path: String
    var permissions: FileMode
    var kind: Kind

    static let blockSize = 512
    /// Every member's modification time, in seconds since the epoch.
    static let modificationTime = 1
    /// The largest size a ustar size field holds (11 octal digits).
    static let maximumSize = (1 << 33) - 1

    /// Two zero blocks: the end of an archive.
    static let endOfArchive = [UInt8](repeating: 0, count: 2 * Self.blockSize)

    /// The zero bytes that follow `size` bytes of content, up to the next block.
    static func padding(after size: Int) -> Int {
        (Self.blockSize - size % Self.blockSize) % Self.blockSize
    }

    /// The name as the archive spells it: directories end in `/`.
    var archiveName: String {
        if case .directory = self.kind { return self.path + "/" }
        return self.path
    }

    /// The header blocks: a pax extended header and its records when a name is too long, then the ustar block.
    var encoded: [UInt8] {
        let name = Array(self.archiveName.utf8)
        var target: [UInt8] = []
        if case .symbolicLink(let text) = self.kind { target = Array(text.utf8) }
        var records: [UInt8] = []
        if name.count > 100 { records += Self.paxRecord("path", name) }
        if target.count > 100 { records += Self.paxRecord("linkpath", target) }
        var blocks: [UInt8] = []
        if !records.isEmpty {
            let paxName =
                Array("PaxHeaders/".utf8)
                + Self.cut(self.path.split(separator: "/").last.map(String.init) ?? "", to: 89)
            blocks += Self.ustarBlock(
                name: paxName,
                mode: 0o644,
                size: records.count,
                typeFlag: UInt8(ascii: "x"),
                linkName: []
            )
            blocks += records + [UInt8](repeating: 0, count: Self.padding(after: records.count))
        }
        switch self.kind {
        case .regularFile(let size):
            blocks += Self.ustarBlock(
                name: Self.cut(name),
                mode: self.permissions.rawValue,
                size: size,
                typeFlag: UInt8(ascii: "0"),
                linkName: []
            )
        case .directory:
            blocks += Self.ustarBlock(
                name: Self.cut(name),
                mode: self.permissions.rawValue,
                size: 0,
                typeFlag: UInt8(ascii: "5"),
                linkName: []
            )
        case .symbolicLink:
            blocks += Self.ustarBlock(
                name: Self.cut(name),
                mode: self.permissions.rawValue,
                size: 0,
                typeFlag: UInt8(ascii: "2"),
                linkName: Self.cut(target)
            )
        }
        return blocks
    }

    /// One pax record, `LENGTH KEY=VALUE\n`, where LENGTH counts the whole record, its own digits included.
    static func paxRecord(_ key: String, _ value: [UInt8]) -> [UInt8] {
        let body = Array(" \(key)=".utf8) + value + [UInt8(ascii: "\n")]
        var length = body.count + 1
        while String(length).utf8.count + body.count != length { length = String(length).utf8.count + body.count }
        return Array(String(length).utf8) + body
    }

    /// The first bytes of `text` that fit in `limit`, cut between characters' UTF-8 sequences.
    static func cut(_ text: String, to limit: Int = 100) -> [UInt8] {
        Self.cut(Array(text.utf8), to: limit)
    }

    static func cut(_ bytes: [UInt8], to limit: Int = 100) -> [UInt8] {
        guard bytes.count > limit else { return bytes }
        var end = limit
        // Step back over continuation bytes (10xxxxxx) so the cut leaves no partial sequence.
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return Array(bytes[..<end])
    }

    private static func ustarBlock(
        name: [UInt8],
        mode: UInt32,
        size: Int,
        typeFlag: UInt8,
        linkName: [UInt8]
    ) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        func put(_ bytes: [UInt8], at offset: Int) {
            block.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        }
        put(name, at: 0)
        put(Self.octal(Int(mode), width: 8), at: 100)
        put(Self.octal(0, width: 8), at: 108)  // uid
        put(Self.octal(0, width: 8), at: 116)  // gid
        put(Self.octal(size, width: 12), at: 124)
        put(Self.octal(Self.modificationTime, width: 12), at: 136)
        put([UInt8](repeating: UInt8(ascii: " "), count: 8), at: 148)  // the checksum counts its field as spaces
        block[156] = typeFlag
        put(linkName, at: 157)
        put(Array("ustar\u{0}00".utf8), at: 257)  // magic and version
        // uname (265) and gname (297) stay empty: the ids are numeric, no name is looked up.
        put(Self.octal(0, width: 8), at: 329)  // devmajor
        put(Self.octal(0, width: 8), at: 337)  // devminor
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(Self.octal(checksum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return block
    }

    /// `value` in octal, zero-padded to `width - 1` digits, then a NUL.
    static func octal(_ value: Int, width: Int) -> [UInt8] {
        let digits = String(value, radix: 8)
        return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
    }
}
