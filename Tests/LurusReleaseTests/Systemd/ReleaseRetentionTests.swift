import LurusRelease
import Testing

@Suite struct ReleaseRetentionTests {
    /// Releases 1...count, the higher the newer.
    func releases(_ count: Int) -> [ReleaseRetention.Kept] {
        (1...count).map { ReleaseRetention.Kept(id: self.id($0), deployedAt: Double($0)) }
    }

    func id(_ number: Int) -> ReleaseID { ReleaseID(String(format: "%012x", number))! }

    @Test func theNewestAreKept() {
        let removed = ReleaseRetention.prune(self.releases(8), keep: 5, protected: [self.id(8)])
        #expect(removed == [1, 2, 3].map(self.id))
    }

    @Test func theRollbackTargetIsKeptHoweverOldAndCountsTowardsTheLimit() {
        let removed = ReleaseRetention.prune(self.releases(8), keep: 3, protected: [self.id(8), self.id(1)])
        #expect(removed == [2, 3, 4, 5, 6].map(self.id), "8 and 1 protected, 7 the newest other: 3 kept")
    }

    @Test func protectedReleasesAreKeptEvenBeyondTheLimit() {
        let removed = ReleaseRetention.prune(self.releases(4), keep: 1, protected: [self.id(4), self.id(2)])
        #expect(removed == [1, 3].map(self.id))
    }

    @Test func aProtectedIDTheNodeDoesNotHoldTakesNoPlace() {
        let removed = ReleaseRetention.prune(self.releases(4), keep: 2, protected: [self.id(4), self.id(99)])
        #expect(removed == [1, 2].map(self.id))
    }

    @Test func fewerThanTheLimitRemovesNothing() {
        #expect(ReleaseRetention.prune(self.releases(3), keep: 5, protected: []).isEmpty)
    }
}
