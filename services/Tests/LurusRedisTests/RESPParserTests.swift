import NIOCore
import Testing

@testable import LurusRedis

/// The RESP2 reader on bytes as a socket hands them over: split anywhere, several values at once, nulls,
/// nesting, and what is refused.
@Suite struct RESPParserTests {
    static func feed(_ chunks: [String], parser: inout RESPParser) throws -> [RESPValue] {
        var values: [RESPValue] = []
        for chunk in chunks { values += try parser.feed(ByteBuffer(string: chunk)) }
        return values
    }

    @Test func everyKindOfReplyIsRead() throws {
        var parser = RESPParser()
        let values = try Self.feed(
            [
                "+OK\r\n-ERR wrong number of arguments\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n:-7\r\n*-1\r\n$0\r\n\r\n"
            ],
            parser: &parser
        )
        #expect(
            values == [
                .simpleString("OK"), .error("ERR wrong number of arguments"), .integer(42),
                .bulkString(Array("hello".utf8)), .bulkString(nil),
                .array([.bulkString(Array("a".utf8)), .integer(-7)]), .array(nil), .bulkString([]),
            ]
        )
    }

    @Test func aValueSplitAtEveryByteIsReadOnceWhole() throws {
        let text = "*3\r\n$7\r\nmessage\r\n$7\r\ncatalog\r\n$12\r\nhello\r\nworld\r\n"
        var parser = RESPParser()
        var values: [RESPValue] = []
        for character in text { values += try parser.feed(ByteBuffer(string: String(character))) }
        // A CRLF inside a bulk string is its content, not an end.
        #expect(
            values == [
                .array([
                    .bulkString(Array("message".utf8)), .bulkString(Array("catalog".utf8)),
                    .bulkString(Array("hello\r\nworld".utf8)),
                ])
            ]
        )
    }

    @Test func anIncompleteValueWaitsForTheRest() throws {
        var parser = RESPParser()
        #expect(try parser.feed(ByteBuffer(string: "$10\r\n01234")).isEmpty)
        #expect(try parser.feed(ByteBuffer(string: "56789\r\n+OK")).map(\.string) == ["0123456789"])
        #expect(try parser.feed(ByteBuffer(string: "\r\n")) == [.simpleString("OK")])
    }

    @Test func malformedAndOversizedRepliesAreProtocolErrors() {
        var parser = RESPParser(maximumBulkLength: 16, maximumDepth: 2)
        #expect(throws: RedisError.protocolViolation("unknown reply type byte 63")) {
            try parser.feed(ByteBuffer(string: "?what\r\n"))
        }
        parser = RESPParser(maximumBulkLength: 16, maximumDepth: 2)
        #expect(throws: RedisError.protocolViolation("a bulk string of 17 bytes is over the limit of 16")) {
            try parser.feed(ByteBuffer(string: "$17\r\n"))
        }
        parser = RESPParser(maximumBulkLength: 16, maximumDepth: 2)
        #expect(throws: RedisError.protocolViolation("integer reply 'x1' is not a number")) {
            try parser.feed(ByteBuffer(string: ":x1\r\n"))
        }
        parser = RESPParser(maximumBulkLength: 16, maximumDepth: 2)
        #expect(throws: RedisError.protocolViolation("values nested more than 2 deep")) {
            try parser.feed(ByteBuffer(string: "*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"))
        }
        parser = RESPParser()
        #expect(throws: RedisError.protocolViolation("a bulk string does not end with CRLF")) {
            try parser.feed(ByteBuffer(string: "$2\r\nabXY"))
        }
    }

    @Test func commandsAreArraysOfBulkStrings() {
        let buffer = RESPEncoder.encode([Array("SET".utf8), Array("k".utf8), Array("a b\r\n".utf8)])
        #expect(String(buffer: buffer) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na b\r\n\r\n")
    }
}
