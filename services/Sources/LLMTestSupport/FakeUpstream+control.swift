import Foundation
import Hummingbird

extension FakeUpstream {
    struct ScriptRequest: Decodable {
        var provider: String
        var steps: [FakeStep]
    }

    struct BillingRequest: Decodable {
        var balances: [String: Bool]?
        var down: Bool?
    }

    /// Control routes for tests, and the fake provider and billing services.
    static func addControlRoutes(to router: Router<BasicRequestContext>, state: FakeUpstreamState) {
        router.post("_control/script") { request, context -> HTTPResponse.Status in
            let script = try await request.decode(as: ScriptRequest.self, context: context)
            state.script(script.provider, script.steps)
            return .noContent
        }
        router.post("_control/reset") { _, _ -> HTTPResponse.Status in
            state.reset()
            return .noContent
        }
        router.get("_control/requests") { _, _ -> Response in
            let data = try JSONEncoder().encode(state.records)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
            )
        }
        router.post("_control/billing") { request, context -> HTTPResponse.Status in
            let billing = try await request.decode(as: BillingRequest.self, context: context)
            for (key, allowed) in billing.balances ?? [:] {
                state.setBalance(key: key, allowed: allowed)
            }
            if let down = billing.down { state.setBillingDown(down) }
            return .noContent
        }
        router.post("_control/catalog") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: body)
            state.setCatalog(text.isEmpty ? nil : text)
            return .noContent
        }
        // The gateway's hold: an allowed key is held, a refused one is not.
        router.post("_billing/v1/reservations") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 << 10)
            let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            let key = object?["key_id"] as? String ?? ""
            let answer = state.balance(key: key)
            if answer.down {
                return Response(status: .serviceUnavailable)
            }
            let verdict = answer.allowed ? "reserved" : "insufficient_balance"
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody(
                    byteBuffer: ByteBuffer(string: #"{"verdict":"\#(verdict)","allowed":\#(answer.allowed)}"#)
                )
            )
        }
        // Leases: this fake holds every key per request, so that a test's change of balance shows on
        // the very next request.
        router.post("_billing/v1/leases") { _, _ -> Response in
            if state.balance(key: "").down { return Response(status: .serviceUnavailable) }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"verdict":"per_request","allowed":false}"#))
            )
        }
        router.get("_provider/v1/catalog") { _, _ -> Response in
            guard let catalog = state.catalog else { return Response(status: .serviceUnavailable) }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: catalog))
            )
        }
    }
}
