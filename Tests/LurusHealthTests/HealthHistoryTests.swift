import Testing

@testable import LurusHealth

/// Changes of state reported once they held for `confirm_after` runs; a check that flaps reports nothing.
@Suite struct HealthHistoryTests {
    static func result(_ status: HealthStatus, check: String = "service.gateway") -> CheckResult {
        CheckResult(node: "brain", check: check, status: status, summary: "s", fix: "f")
    }

    @Test func aChangeIsReportedOnceItHeldForConfirmAfterRuns() {
        var history = HealthHistory()
        #expect(history.record([Self.result(.ok)], confirmAfter: 2, at: 0).isEmpty, "first sight, ok: nothing")
        #expect(history.record([Self.result(.critical)], confirmAfter: 2, at: 60).isEmpty, "once is not yet")
        let changes = history.record([Self.result(.critical)], confirmAfter: 2, at: 120)
        #expect(changes.count == 1 && changes[0].from == .ok && changes[0].after == 120)
        #expect(history.record([Self.result(.critical)], confirmAfter: 2, at: 180).isEmpty, "no repeat")
        #expect(
            ChangesFormat.text(history.record([Self.result(.ok)], confirmAfter: 1, at: 240))
                == "OK (was CRITICAL for 2m) brain service.gateway: s\n"
        )
    }

    @Test func aFlappingCheckChangesNothing() {
        var history = HealthHistory()
        _ = history.record([Self.result(.ok)], confirmAfter: 2, at: 0)
        for minute in 1...10 {
            let status: HealthStatus = minute.isMultiple(of: 2) ? .ok : .warning
            #expect(history.record([Self.result(status)], confirmAfter: 2, at: Double(minute * 60)).isEmpty)
        }
        #expect(ChangesFormat.text([]) == "", "nothing to mail")
    }

    @Test func aNewCheckThatFailsIsReportedAtOnceAndAGoneOneIsForgotten() {
        var history = HealthHistory()
        let first = history.record([Self.result(.warning, check: "disk")], confirmAfter: 3, at: 0)
        #expect(first.count == 1 && first[0].from == nil)
        _ = history.record([Self.result(.ok)], confirmAfter: 3, at: 60)
        #expect(history.entries.keys.sorted() == ["brain service.gateway"])
        // A run of another node only (--on heart) keeps brain's.
        let heart = CheckResult(node: "heart", check: "disk", status: .ok, summary: "s")
        _ = history.record([heart], confirmAfter: 3, at: 120)
        #expect(history.entries.keys.sorted() == ["brain service.gateway", "heart disk"])
    }
}
