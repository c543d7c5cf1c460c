import Foundation
import Hummingbird
import HummingbirdTesting
import LLMWire
import LurusAdminAuth
import Testing

@testable import LurusBilling

/// The HTTP routes over a real PostgreSQL: administration with its token, keys shown once, the gateway's
/// calls, and bad input or bad tokens refused with errors that name what is wrong.
@Suite(.timeLimit(.minutes(2))) struct BillingAPITests {
    static let adminToken = "admin-token-for-tests"

    static func withAPI(_ body: @Sendable (BillingFixture, any TestClientProtocol) async throws -> Void) async throws {
        try await BillingFixture.with { fixture in
            let router = Router()
            GatewayAPI(store: fixture.store, metrics: BillingMetrics(), reservationTTL: .seconds(60)).add(to: router)
            ClientAPI(store: fixture.store).add(to: router)
            AdminAPI(
                store: fixture.store,
                authenticate: BillingService.authenticator(
                    AdminAuthenticator(
                        AdminAuthConfiguration(
                            staticToken: StaticTokenCheck(sha256Hex: IssuedKey.sha256(of: Self.adminToken)),
                            oidc: nil
                        ),
                        logger: BillingFixture.logger
                    )
                )
            ).add(to: router)
            try await Application(router: router).test(.router) { client in
                try await body(fixture, client)
            }
        }
    }

    static var admin: HTTPFields { [.authorization: "Bearer \(Self.adminToken)", .contentType: "application/json"] }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONValue.parse(response.body.readableBytesView)
    }

    @Test func anAdministratorIssuesAKeyThatIsShownOnceAndWorksForItsOwner() async throws {
        try await Self.withAPI { fixture, client in
            let created = try await client.execute(
                uri: "/api/v1/users",
                method: .post,
                headers: Self.admin,
                body: ByteBuffer(string: #"{"name":"Team A","email":"a@example.com"}"#)
            )
            #expect(created.status == .created)
            let userID = try #require(try Self.json(created)["id"]?.stringValue)
            let issued = try await client.execute(
                uri: "/api/v1/users/\(userID)/keys",
                method: .post,
                headers: Self.admin,
                body: ByteBuffer(
                    string: #"{"name":"ci","budget":"5.00","budget_period":"day","requests_per_minute":60}"#
                )
            )
            #expect(issued.status == .created)
            let secret = try #require(try Self.json(issued)["key"]?.stringValue)
            let keyID = try #require(try Self.json(issued)["id"]?.stringValue)
            #expect(secret.hasPrefix("sk-lurus-") && secret.count == 49)
            // Listed without the key: only its prefix.
            let listed = try await client.execute(
                uri: "/api/v1/users/\(userID)/keys",
                method: .get,
                headers: Self.admin
            )
            let listing = String(buffer: listed.body)
            #expect(!listing.contains(secret) && listing.contains(String(secret.prefix(14))))
            #expect(
                try await fixture.scalar(
                    "SELECT count(*) FROM api_keys WHERE sha256 = '\(IssuedKey.sha256(of: secret))'"
                )
                    == "1"
            )

            // A top-up, retried: credited once.
            var topUp = Self.admin
            topUp[.init("Idempotency-Key")!] = "invoice-1"
            for expected in [HTTPResponse.Status.created, .ok] {
                let response = try await client.execute(
                    uri: "/api/v1/users/\(userID)/topups",
                    method: .post,
                    headers: topUp,
                    body: ByteBuffer(string: #"{"amount":"12.50"}"#)
                )
                #expect(response.status == expected)
            }
            let reused = try await client.execute(
                uri: "/api/v1/users/\(userID)/topups",
                method: .post,
                headers: topUp,
                body: ByteBuffer(string: #"{"amount":"99"}"#)
            )
            #expect(reused.status == .conflict)

            // The owner sees its balance and quota with its own key.
            let balance = try await client.execute(
                uri: "/api/v1/balance",
                method: .get,
                headers: [.authorization: "Bearer \(secret)"]
            )
            #expect(try Self.json(balance)["available"]?.stringValue == "12.500000")
            let quota = try await client.execute(
                uri: "/api/v1/quota",
                method: .get,
                headers: [.authorization: "Bearer \(secret)"]
            )
            #expect(try Self.json(quota)["budget_left"]?.stringValue == "5.000000")

            // The gateway's calls.
            let standing = try await client.execute(uri: "/v1/balance/\(keyID)", method: .get)
            #expect(try Self.json(standing)["allowed"] == .bool(true))
            #expect(try Self.json(standing)["balance"] == .number(5.0), "capped by the day's budget")
            let keys = try await client.execute(uri: "/v1/keys", method: .get)
            let etag = try #require(keys.headers[.eTag])
            #expect(try Self.json(keys)["keys"]?[0]?["sha256"]?.stringValue == IssuedKey.sha256(of: secret))
            #expect(try Self.json(keys)["keys"]?[0]?["user_id"]?.stringValue == userID, "the gateway logs whose key")
            let unchanged = try await client.execute(uri: "/v1/keys", method: .get, headers: [.ifNoneMatch: etag])
            #expect(unchanged.status == .notModified)
            let hold = try await client.execute(
                uri: "/v1/reservations",
                method: .post,
                body: ByteBuffer(string: #"{"request_id":"req_a","key_id":"\#(keyID)","amount_micros":6000000}"#)
            )
            #expect(try Self.json(hold)["verdict"]?.stringValue == "over_budget")

            // Revoked: gone from the gateway's list, refused for its owner.
            #expect(
                try await client.execute(uri: "/api/v1/keys/\(keyID)", method: .delete, headers: Self.admin).status
                    == .ok
            )
            let after = try await client.execute(uri: "/v1/keys", method: .get, headers: [.ifNoneMatch: etag])
            #expect(try after.status == .ok && Self.json(after)["keys"] == .array([]))
            let refused = try await client.execute(
                uri: "/api/v1/balance",
                method: .get,
                headers: [.authorization: "Bearer \(secret)"]
            )
            #expect(refused.status == .unauthorized)
        }
    }

    @Test func badTokensAndBadInputAreRefusedNamingWhatIsWrong() async throws {
        try await Self.withAPI { _, client in
            let none = try await client.execute(uri: "/api/v1/users", method: .get)
            #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate] == "Bearer")
            let wrong = try await client.execute(
                uri: "/api/v1/users",
                method: .get,
                headers: [.authorization: "Bearer nope"]
            )
            #expect(wrong.status == .unauthorized)
            #expect(!String(buffer: wrong.body).contains("nope"), "a refused token is never echoed")

            let cases: [(String, String, String)] = [
                (#"{"email":"x@y"}"#, "name", "name is required"),
                (#"{"name":"A","email":"nope"}"#, "email", "email must be an email address"),
                (#"{"name":"A","role":"admin"}"#, "role", "role is not a field here (allowed: email, name)"),
                (#"{"name":7}"#, "name", "name must be a string"),
            ]
            for (body, field, message) in cases {
                let response = try await client.execute(
                    uri: "/api/v1/users",
                    method: .post,
                    headers: Self.admin,
                    body: ByteBuffer(string: body)
                )
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(try Self.json(response)["error"]?["field"]?.stringValue == field)
                #expect(
                    try Self.json(response)["error"]?["message"]?.stringValue == message,
                    "\(String(buffer: response.body))"
                )
            }
            let notJSON = try await client.execute(
                uri: "/api/v1/users",
                method: .post,
                headers: Self.admin,
                body: ByteBuffer(string: "name=A")
            )
            #expect(notJSON.status == .badRequest)

            let user = try await client.execute(
                uri: "/api/v1/users",
                method: .post,
                headers: Self.admin,
                body: ByteBuffer(string: #"{"name":"B"}"#)
            )
            let userID = try #require(try Self.json(user)["id"]?.stringValue)
            let keyCases: [(String, String)] = [
                (#"{"budget":"5"}"#, "budget_period is needed with budget"),
                (#"{"budget":"5","budget_period":"week"}"#, "budget_period must be day or month"),
                (
                    #"{"budget":"5.1234567","budget_period":"day"}"#,
                    "budget must be an amount of dollars with at most six decimals, such as \"12.50\""
                ),
                (#"{"requests_per_minute":0}"#, "requests_per_minute must be a whole number from 1 to 1000000"),
            ]
            for (body, message) in keyCases {
                let response = try await client.execute(
                    uri: "/api/v1/users/\(userID)/keys",
                    method: .post,
                    headers: Self.admin,
                    body: ByteBuffer(string: body)
                )
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(
                    try Self.json(response)["error"]?["message"]?.stringValue == message,
                    "\(String(buffer: response.body))"
                )
            }
            let noIdempotency = try await client.execute(
                uri: "/api/v1/users/\(userID)/topups",
                method: .post,
                headers: Self.admin,
                body: ByteBuffer(string: #"{"amount":"1"}"#)
            )
            #expect(noIdempotency.status == .badRequest)
            #expect(try Self.json(noIdempotency)["error"]?["field"]?.stringValue == "Idempotency-Key")
            let missing = try await client.execute(
                uri: "/api/v1/users/usr_nobody/keys",
                method: .get,
                headers: Self.admin
            )
            #expect(missing.status == .notFound)
        }
    }
}
