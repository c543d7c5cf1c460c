import LLMWire
import Testing

@testable import LurusGateway

@Suite struct FailurePolicyTests {
    let rest = Duration.seconds(10)

    @Test func providerSideFailuresMoveOnAndRest() {
        for failure: UpstreamFailure in [
            .connect("refused"), .timeout, .dropped("reset"), .status(500, retryAfter: nil, error: nil),
            .status(502, retryAfter: nil, error: nil), .status(529, retryAfter: nil, error: nil),
            .status(401, retryAfter: nil, error: nil),
        ] {
            #expect(FailurePolicy.decide(failure, defaultRest: self.rest) == .failover(rest: self.rest), "\(failure)")
        }
    }

    @Test func retryAfterSetsTheRest() {
        let failure = UpstreamFailure.status(429, retryAfter: FailurePolicy.retryAfter("2"), error: nil)
        #expect(FailurePolicy.decide(failure, defaultRest: self.rest) == .failover(rest: .seconds(2)))
        #expect(FailurePolicy.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(FailurePolicy.retryAfter("99999") == .seconds(600))
    }

    @Test func clientErrorsGoBackWithoutRest() {
        for code in [400, 404, 413, 422] {
            let failure = UpstreamFailure.status(code, retryAfter: nil, error: nil)
            #expect(FailurePolicy.decide(failure, defaultRest: self.rest) == .answerClient, "\(code)")
        }
    }

    @Test func overloadBeforeContentMovesOn() {
        let overload = StreamError(type: "overloaded_error", message: "Overloaded", isOverload: true)
        #expect(FailurePolicy.decide(.streamError(overload), defaultRest: self.rest) == .failover(rest: self.rest))
        let invalid = StreamError(type: "invalid_request_error", message: "bad", isOverload: false)
        #expect(FailurePolicy.decide(.streamError(invalid), defaultRest: self.rest) == .answerClient)
        #expect(
            FailurePolicy.decide(.status(400, retryAfter: nil, error: overload), defaultRest: self.rest)
                != .answerClient
        )
    }

    @Test func aPlainServerErrorIsNotAnOverload() {
        let serverError = StreamError(type: "server_error", message: "boom", isOverload: true)
        let failure = UpstreamFailure.status(500, retryAfter: nil, error: serverError)
        #expect(failure.reason == "status_5xx")
        #expect(FailurePolicy.finalKind([failure]) == .upstream)
        #expect(UpstreamFailure.status(529, retryAfter: nil, error: nil).reason == "overloaded")
    }

    @Test func theFinalAnswerFollowsTheLastFailure() {
        #expect(FailurePolicy.finalKind([.timeout]) == .timeout)
        #expect(FailurePolicy.finalKind([.timeout, .status(429, retryAfter: nil, error: nil)]) == .rateLimited)
        #expect(FailurePolicy.finalKind([.status(529, retryAfter: nil, error: nil)]) == .overloaded)
        #expect(FailurePolicy.finalKind([.connect("refused")]) == .upstream)
    }
}

@Suite struct CandidateOrderTests {
    static func candidate(_ name: String, priority: Int, weight: Double = 1) -> Candidate {
        Candidate(
            provider: Provider(
                name: name,
                protocol: .openai,
                baseURL: "http://x",
                apiKey: ProviderKey(value: "k"),
                priority: priority,
                weight: weight
            ),
            upstreamModel: "m",
            model: "m",
            price: ModelPrice()
        )
    }

    @Test func higherPriorityFirstAndRestingLeftOut() {
        let candidates = [
            Self.candidate("low", priority: 1), Self.candidate("high", priority: 9), Self.candidate("mid", priority: 5),
        ]
        let ordered = CandidateOrder.arrange(candidates, resting: { $0 == "mid" })
        #expect(ordered.map(\.provider.name) == ["high", "low"])
    }

    @Test func weightsShareEqualPriorities() {
        let candidates = [
            Self.candidate("heavy", priority: 1, weight: 9), Self.candidate("light", priority: 1, weight: 1),
        ]
        var firsts: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let first = CandidateOrder.arrange(
                candidates,
                resting: { _ in false },
                random: { Double.random(in: Double.ulpOfOne...1, using: &generator) }
            ).first!.provider.name
            firsts[first, default: 0] += 1
        }
        // Weight 9 against 1 leads about 90% of the time.
        #expect((1600...1950).contains(firsts["heavy", default: 0]))
    }
}

@Suite struct CooldownsTests {
    @Test func restsExtendButNeverShorten() {
        let cooldowns = Cooldowns()
        let now = ContinuousClock.now
        cooldowns.coolDown("alpha", for: .seconds(10), now: now)
        cooldowns.coolDown("alpha", for: .seconds(2), now: now)
        #expect(cooldowns.remaining("alpha", now: now) == .seconds(10))
        #expect(cooldowns.remaining("alpha", now: now + .seconds(11)) == nil)
        #expect(cooldowns.remaining("beta", now: now) == nil)
    }
}
