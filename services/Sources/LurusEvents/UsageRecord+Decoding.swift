#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension UsageRecord {
    /// Reads a record a producer wrote (the payload of a usage event).
    ///
    /// Unknown fields are ignored, so a producer may add some; a missing field, a value of the
    /// wrong type or an unknown outcome is an ``EventDecodingError`` naming the field. Read byte by byte
    /// (``UsageRecordScanner``); JSONDecoder answers whatever the scanner is not sure of.
    public static func decode(_ payload: some Collection<UInt8>) throws(EventDecodingError) -> UsageRecord {
        if let record = UsageRecordScanner.scan(payload) { return record }
        return try Self.decodeWithFoundation(payload)
    }

    /// JSONDecoder's reading: the reference the scanner is tested against, and its fallback.
    static func decodeWithFoundation(_ payload: some Collection<UInt8>) throws(EventDecodingError) -> UsageRecord {
        do {
            return try JSONDecoder().decode(UsageRecord.self, from: Data(payload))
        } catch let error as DecodingError {
            throw EventDecodingError(event: "usage record", error, payload: payload)
        } catch {
            throw EventDecodingError(event: "usage record", problem: "\(error)", payload: payload)
        }
    }
}
