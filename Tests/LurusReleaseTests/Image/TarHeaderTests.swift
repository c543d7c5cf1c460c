import Testing

@testable import LurusRelease

/// The header blocks, field by field, against the ustar layout.
@Suite struct TarHeaderTests {
    func field(_ block: [UInt8], _ offset: Int, _ length: Int) -> String {
        String(decoding: block[offset..<offset + length], as: UTF8.self)
    }

    @Test func aUstarBlockHoldsFixedOwnersTimesAndAValidChecksum() {
        let block = TarHeader(path: "usr/bin/gateway", permissions: 0o755, kind: .regularFile(size: 1234)).encoded
        #expect(block.count == 512)
        #expect(self.field(block, 0, 16) == "usr/bin/gateway\u{0}")
        #expect(self.field(block, 100, 8) == "0000755\u{0}")
        #expect(self.field(block, 108, 8) == "0000000\u{0}")
        #expect(self.field(block, 116, 8) == "0000000\u{0}")
        #expect(self.field(block, 124, 12) == "00000002322\u{0}")  // 1234 in octal
        #expect(self.field(block, 136, 12) == "00000000001\u{0}")  // 1 s after the epoch
        #expect(block[156] == UInt8(ascii: "0"))
        #expect(self.field(block, 257, 8) == "ustar\u{0}00")
        #expect(block[265..<329].allSatisfy { $0 == 0 }, "uname and gname are empty")
        var blanked = block
        blanked.replaceSubrange(148..<156, with: Array("        ".utf8))
        let sum = blanked.reduce(0) { $0 + Int($1) }
        #expect(
            self.field(block, 148, 8) == TarHeader.octal(sum, width: 7).map { String(UnicodeScalar($0)) }.joined() + " "
        )
    }

    @Test func directoriesEndInASlashAndLinksCarryTheirTarget() {
        let directory = TarHeader(path: "etc/ssl", permissions: 0o755, kind: .directory).encoded
        #expect(self.field(directory, 0, 9) == "etc/ssl/\u{0}")
        #expect(directory[156] == UInt8(ascii: "5"))
        let link = TarHeader(path: "lib64", permissions: 0o777, kind: .symbolicLink(target: "usr/lib64")).encoded
        #expect(link[156] == UInt8(ascii: "2"))
        #expect(self.field(link, 157, 10) == "usr/lib64\u{0}")
        #expect(self.field(link, 124, 12) == "00000000000\u{0}")
    }

    @Test func onlyNamesLongerThanAUstarFieldGetAPaxHeader() {
        let fits = String(repeating: "a", count: 100)
        #expect(TarHeader(path: fits, permissions: 0o644, kind: .regularFile(size: 0)).encoded.count == 512)
        let long = String(repeating: "b/", count: 60) + "file"
        let blocks = TarHeader(path: long, permissions: 0o644, kind: .regularFile(size: 0)).encoded
        #expect(blocks.count == 3 * 512)
        #expect(blocks[156] == UInt8(ascii: "x"))
        let record = TarHeader.paxRecord("path", Array(long.utf8))
        #expect(Array(blocks[512..<512 + record.count]) == record)
        let longTarget = String(repeating: "t", count: 150)
        let link = TarHeader(path: "l", permissions: 0o777, kind: .symbolicLink(target: longTarget)).encoded
        #expect(link.count == 3 * 512)
        #expect(String(decoding: link[512..<1024], as: UTF8.self).contains(" linkpath=" + longTarget + "\n"))
    }

    @Test func paxRecordsCountTheirOwnLength() {
        for length in 0...1_100 {
            let record = TarHeader.paxRecord("path", [UInt8](repeating: UInt8(ascii: "x"), count: length))
            let declared = Int(String(decoding: record.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self))
            #expect(declared == record.count, "value of \(length) bytes")
        }
    }

    @Test func cutsFallBetweenCharacters() {
        let text = String(repeating: "a", count: 99) + "é"  // é is 2 bytes: bytes 99 and 100
        #expect(TarHeader.cut(text) == Array(String(repeating: "a", count: 99).utf8))
        #expect(TarHeader.cut("short") == Array("short".utf8))
    }

    @Test func contentIsPaddedToWholeBlocks() {
        #expect(TarHeader.padding(after: 0) == 0)
        #expect(TarHeader.padding(after: 1) == 511)
        #expect(TarHeader.padding(after: 512) == 0)
        #expect(TarHeader.padding(after: 513) == 511)
    }
}
