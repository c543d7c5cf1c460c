/// Encodes server-sent events.
public enum ServerSentEventEncoder {
    /// Encodes an event: optional `event: X\n`, one `data: LINE\n` per line of data, then `\n`.
    ///
    /// Data lines split at "\r\n", "\n" or "\r", so the data decodes back as it was (line breaks
    /// become "\n"); line breaks in the event name become spaces so they cannot end the field.
    public static func encode(event: String?, data: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(data.utf8.count + 32)
        if let event {
            output.append(contentsOf: "event: ".utf8)
            for byte in event.utf8 { output.append(byte == 0x0A || byte == 0x0D ? 0x20 : byte) }
            output.append(0x0A)
        }
        output.append(contentsOf: "data: ".utf8)
        var previousWasCarriageReturn = false
        for byte in data.utf8 {
            switch byte {
            case 0x0A where previousWasCarriageReturn:
                break
            case 0x0A, 0x0D:
                output.append(contentsOf: "\ndata: ".utf8)
            default:
                output.append(byte)
            }
            previousWasCarriageReturn = byte == 0x0D
        }
        output.append(contentsOf: "\n\n".utf8)
        return output
    }

    /// Encodes an event whose data is a JSON value.
    static func encode(event: String?, json: JSONValue) -> [UInt8] {
        self.encode(event: event, data: json.jsonText)
    }
}
