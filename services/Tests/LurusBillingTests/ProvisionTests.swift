import Foundation
import LurusServiceKit
import Testing

@testable import LurusBilling

/// The keys provision file: the gateway's keys file, applied at billing's start, once.
@Suite("Billing keys provisioning", .timeLimit(.minutes(2)))
struct ProvisionTests {
    /// The repository's `inventory/lab/gateway-keys.json`: what `lurusctl` gives the lab's billing service.
    static let labKeys = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../inventory/lab/gateway-keys.json").standardizedFileURL.path

    static func hash(_ key: String) -> String { IssuedKey.sha256(of: key) }

    static func file(_ entries: [String]) -> [UInt8] { Array(#"{"keys": [\#(entries.joined(separator: ","))]}"#.utf8) }

    @Test("the lab's keys file and the gateway's format read: the user is user_id or the key's id")
    func readsTheGatewayFormat() throws {
        let lab = try KeyProvision.load(file: Self.labKeys)
        #expect(lab.keys.map(\.id) == ["lab"])
        #expect(lab.keys.first?.sha256 == Self.hash("sk-lurus-lab-demo"))
        #expect(lab.keys.first?.initialCredit == Micros(decimal: "100"))
        let two = try KeyProvision.parse(
            Self.file([
                #"{"id": "a", "sha256": "\#(Self.hash("ka").uppercased())", "user_id": "team"}"#,
                #"{"id": "b", "sha256": "\#(Self.hash("kb"))", "name": "ci", "initial_credit": "0.000001"}"#,
            ]),
            source: "keys.json"
        )
        #expect(two.keys.map(\.userID) == ["team", "b"])
        #expect(two.keys.map(\.name) == ["a", "ci"])
        #expect(two.keys.first?.sha256 == Self.hash("ka"), "hex is kept in lower case, as the gateway compares it")
        #expect(two.keys.map(\.initialCredit) == [nil, Micros(1)])
    }

    @Test(
        "a refused value is named by file and key path",
        arguments: [
            (#"{"keys": {}}"#, "keys: must be an array"),
            (#"{"keys": [{"sha256": "\#(String(repeating: "a", count: 64))"}]}"#, "keys[0].id: is required"),
            (#"{"keys": [{"id": "a", "sha256": "abc"}]}"#, "keys[0].sha256: must be 64 hex digits"),
            (
                #"{"keys": [{"id": "a", "sha256": "\#(String(repeating: "a", count: 64))", "credit": "1"}]}"#,
                "keys[0].credit: unknown field"
            ),
            (
                #"{"keys": [{"id": "a", "sha256": "\#(String(repeating: "a", count: 64))", "initial_credit": "-1"}]}"#,
                "keys[0].initial_credit: must be a positive USD amount"
            ),
            (
                #"{"keys": [{"id": "a", "sha256": "\#(String(repeating: "a", count: 64))", "initial_credit": 5}]}"#,
                "keys[0].initial_credit: must be a string"
            ),
            (
                #"{"keys": [{"id": "a", "sha256": "\#(String(repeating: "a", count: 64))"}, {"id": "a", "sha256": "\#(String(repeating: "b", count: 64))"}]}"#,
                "keys[1].id: \"a\" is named twice"
            ),
            (
                #"{"keys": [{"id": "a", "sha256": "\#(String(repeating: "a", count: 64))"}, {"id": "b", "sha256": "\#(String(repeating: "A", count: 64))"}]}"#,
                "keys[1].sha256: another entry has this key"
            ),
            ("[", "not valid JSON"),
        ]
    )
    func refusals(text: String, expected: String) {
        #expect {
            try KeyProvision.parse(Array(text.utf8), source: "keys.json")
        } throws: { error in
            (error as? StartupError)?.problem.hasPrefix("keys provision file keys.json: " + expected) == true
        }
    }

    @Test(
        "applied: users, wallets and keys made, the credit given once; a rerun changes nothing; a new hash rotates the key; a revoked key stays revoked"
    )
    func applied() async throws {
        try await BillingFixture.with { fixture in
            let store = fixture.store
            let first = try KeyProvision.parse(
                Self.file([
                    #"{"id": "lab", "sha256": "\#(Self.hash("sk-one"))", "initial_credit": "25.00"}"#,
                    #"{"id": "team-b", "sha256": "\#(Self.hash("sk-two"))", "user_id": "u-b"}"#,
                ]),
                source: "keys.json"
            )
            let result = try await store.provision(first)
            #expect(result.created == ["lab", "team-b"] && result.credited == ["lab"] && result.skipped.isEmpty)
            #expect(
                Set(try await store.activeKeys())
                    == [
                        ActiveKey(id: "lab", sha256: Self.hash("sk-one"), userID: "lab"),
                        ActiveKey(id: "team-b", sha256: Self.hash("sk-two"), userID: "u-b"),
                    ]
            )
            #expect(try await store.user(id: "lab")?.balance == Micros(decimal: "25"))
            #expect(try await store.user(id: "u-b")?.balance == .zero)
            // The key works for holds: the gateway's path.
            let hold = try await store.reserve(requestID: "r1", keyID: "lab", amount: Micros(1000), ttl: .seconds(60))
            #expect(hold.verdict == .reserved)
            #expect(
                try await store.reserve(requestID: "r2", keyID: "team-b", amount: Micros(1), ttl: .seconds(60)).verdict
                    == .insufficientBalance
            )

            // A restart with the same file: nothing created, nothing credited again.
            #expect(try await store.provision(first) == BillingStore.ProvisionResult())
            #expect(try await store.user(id: "lab")?.balance == Micros(decimal: "25"))
            #expect(try await fixture.scalar("SELECT count(*) FROM ledger WHERE kind = 'topup'") == "1")

            // The file rotates lab's key and adds a key whose hash a key issued by the admin API has.
            #expect(try await store.revokeKey(id: "team-b"))
            let (issuedRecord, issued) = try await store.createKey(
                userID: try await store.createUser(name: "admin-made", email: nil).id,
                name: "k",
                limits: KeyLimits()
            )
            let second = try KeyProvision.parse(
                Self.file([
                    #"{"id": "lab", "sha256": "\#(Self.hash("sk-three"))", "initial_credit": "25.00"}"#,
                    #"{"id": "team-b", "sha256": "\#(Self.hash("sk-four"))", "user_id": "u-b"}"#,
                    #"{"id": "copy", "sha256": "\#(issued.sha256)"}"#,
                ]),
                source: "keys.json"
            )
            let rerun = try await store.provision(second)
            #expect(rerun.rotated == ["lab"] && rerun.created.isEmpty && rerun.credited.isEmpty)
            #expect(rerun.skipped == ["copy": "key \(issuedRecord.id) has this SHA-256"])
            #expect(
                Set(try await store.activeKeys())
                    == [
                        ActiveKey(id: "lab", sha256: Self.hash("sk-three"), userID: "lab"),
                        ActiveKey(id: issuedRecord.id, sha256: issued.sha256, userID: issuedRecord.userID),
                    ]
            )
            #expect(try await store.key(sha256: Self.hash("sk-two"))?.id == "team-b", "the revoked key keeps its hash")
        }
    }

    @Test("replicas starting at once: each key made once, each credit given once")
    func concurrentStarts() async throws {
        try await BillingFixture.with { fixture in
            let provision = try KeyProvision.parse(
                Self.file(
                    (0..<5).map {
                        #"{"id": "k\#($0)", "sha256": "\#(Self.hash("sk-\($0)"))", "initial_credit": "1.5"}"#
                    }
                ),
                source: "keys.json"
            )
            let results = try await withThrowingTaskGroup(of: BillingStore.ProvisionResult.self) { group in
                for _ in 0..<4 { group.addTask { try await fixture.store.provision(provision) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.flatMap(\.created).sorted() == (0..<5).map { "k\($0)" })
            #expect(results.allSatisfy { $0.skipped.isEmpty }, "a key another replica made is no conflict: \(results)")
            #expect(results.flatMap(\.credited).sorted() == (0..<5).map { "k\($0)" })
            #expect(try await fixture.scalar("SELECT sum(balance) FROM wallets") == "7500000")
            #expect(try await fixture.scalar("SELECT count(*) FROM ledger WHERE kind = 'topup'") == "5")
        }
    }
}
