import LurusNATS
import Testing

@Suite("NATSConfiguration")
struct NATSConfigurationTests {
    @Test("parses host, port and credentials from a URL")
    func parsesURL() throws {
        let full = try NATSConfiguration(url: "nats://lurus:s%40cret@nats.example:4333")
        #expect(full.host == "nats.example")
        #expect(full.port == 4333)
        #expect(full.user == "lurus")
        #expect(full.password == "s@cret")

        let plain = try NATSConfiguration(url: "nats://127.0.0.1")
        #expect(plain.host == "127.0.0.1")
        #expect(plain.port == 4222)
        #expect(plain.user == nil)
        #expect(plain.password == nil)
        #expect(plain.connectTimeout == .seconds(2))
        #expect(plain.requestTimeout == .seconds(2))

        let ipv6 = try NATSConfiguration(url: "nats://[::1]:5000/")
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 5000)
    }

    @Test(
        "rejects malformed URLs without revealing the password",
        arguments: [
            "http://u:topsecret@host:4222",
            "nats://u:topsecret@host:notaport",
            "nats://u:topsecret@:4222",
            "nats://u:topsecret@host:70000",
            "nats://u:topsecret@host/path",
        ]
    )
    func rejectsMalformedURL(url: String) {
        let error = #expect(throws: NATSError.self) {
            _ = try NATSConfiguration(url: url)
        }
        guard case .invalidURL(let shown)? = error else {
            Issue.record("expected invalidURL, got \(String(describing: error))")
            return
        }
        #expect(!shown.contains("topsecret"))
        #expect(shown.contains("***"))
        #expect(!"\(error!)".contains("topsecret"))
    }

    @Test("never shows the password in descriptions")
    func descriptionHidesPassword() throws {
        let configuration = try NATSConfiguration(url: "nats://lurus:topsecret@localhost:4222")
        #expect(!"\(configuration)".contains("topsecret"))
        #expect(!String(reflecting: configuration).contains("topsecret"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("topsecret"))
    }
}
