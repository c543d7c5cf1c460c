import Foundation
import HTTPTypes
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

    @Test("a key is known with its user when the keys document names one (billing's always does)")
    func identity() throws {
        let document = """
            {"keys": [
              {"id": "key_a", "sha256": "\(ClientKeys.hash("sk-a"))", "user_id": "usr_1"},
              {"id": "team-b", "sha256": "\(ClientKeys.hash("sk-b"))"}
            ], "version": "v1"}
            """
        let keys = try ClientKeys.decode(Data(document.utf8), source: "test")
        let a = keys.identity(for: [.authorization: "Bearer sk-a"], queryKey: nil)
        #expect(a == ClientIdentity(keyID: "key_a", userID: "usr_1"))
        let b = keys.identity(for: [HTTPField.Name("x-api-key")!: "sk-b"], queryKey: nil)
        #expect(b == ClientIdentity(keyID: "team-b", userID: nil))
        #expect(keys.identity(for: [:], queryKey: "sk-c") == nil)
    }

    @Test("the usage record carries the user of the key")
    func recordHasUser() {
        let ledger = RequestLedger(
            requestID: "req_1",
            client: ClientIdentity(keyID: "key_a", userID: "usr_1"),
            platform: .openai,
            model: "gpt-test",
            stream: false
        )
        let record = ledger.record(status: 200, outcome: .ok)
        #expect(record.keyId == "key_a" && record.userId == "usr_1")
    }
}
