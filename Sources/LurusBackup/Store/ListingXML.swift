/// Reading the S3 API's XML answers lurusctl needs (ListObjectsV2, ListMultipartUploads) without an XML
/// library: their elements are flat and their text is escaped the five XML ways. Pure.
enum ListingXML {
    struct Page: Sendable, Hashable {
        var keys: [String]
        var nextToken: String?
    }

    /// A ListObjectsV2 page: the keys of its `<Contents>`, and the token of the next page when truncated.
    static func objects(_ xml: String) -> Page {
        let keys = self.elements("Contents", in: xml).compactMap { self.first("Key", in: $0) }
        let truncated = self.first("IsTruncated", in: xml) == "true"
        return Page(keys: keys, nextToken: truncated ? self.first("NextContinuationToken", in: xml) : nil)
    }

    /// A ListMultipartUploads answer: each upload's key and id.
    static func uploads(_ xml: String) -> [(key: String, uploadID: String)] {
        self.elements("Upload", in: xml).compactMap { upload in
            guard let key = self.first("Key", in: upload), let id = self.first("UploadId", in: upload) else {
                return nil
            }
            return (key, id)
        }
    }

    /// The bodies of every `<name>…</name>` in `xml`, in order.
    static func elements(_ name: String, in xml: String) -> [Substring] {
        var found: [Substring] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
            found.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    static func first(_ name: String, in xml: Substring) -> String? {
        self.elements(name, in: String(xml)).first.map { self.unescape(String($0)) }
    }

    static func first(_ name: String, in xml: String) -> String? { self.first(name, in: xml[...]) }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// RFC 3986 encoding of a query value, as SigV4 signs it: everything but unreserved characters.
enum QueryEncoding {
    static func encode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// `key=value&…` sorted by key, as SigV4's canonical query string wants.
    static func query(_ items: [(String, String)]) -> String {
        items.sorted { $0.0 < $1.0 }.map { "\(self.encode($0.0))=\(self.encode($0.1))" }.joined(separator: "&")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - self.count)) + self
    }
}
