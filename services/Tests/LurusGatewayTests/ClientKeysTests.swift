import Testing

@testable import LurusGateway

@Suite("Client keys")
struct ClientKeysTests {
    @Test(
        "a Bearer token is read in any case, spaces around it dropped; other schemes are not keys",
        arguments: [
            ("Bearer sk-1", "sk-1"), ("bearer sk-1", "sk-1"), ("BEARER  sk-1  ", "sk-1"),
            ("Basic c2stMQ==", nil), ("Bearer ", nil), ("Bearer    ", nil), ("Bearersk-1", nil),
        ] as [(String, String?)]
    )
    func bearer(header: String, token: String?) {
        #expect(ClientKeys.bearerToken(header) == token)
    }

    @Test("a key is looked up by its SHA-256 hex, the same as `printf %s KEY | sha256sum`")
    func hash() {
        #expect(ClientKeys.hash("sk-bench") == "c00397de4384b5bbaf14c02fe1ec7020d28d1eeab6a722c576c84b6678c41c29")
    }
}
