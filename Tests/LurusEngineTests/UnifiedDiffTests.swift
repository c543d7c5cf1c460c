import Testing

@testable import LurusEngine

@Suite struct UnifiedDiffTests {
    @Test func oneChangedLineWithContext() {
        let before = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let after = before.replacingOccurrences(of: "line 5\n", with: "line five\n")
        #expect(
            UnifiedDiff(before: before, after: after).lines == [
                "@@ -2,7 +2,7 @@", " line 2", " line 3", " line 4", "-line 5", "+line five", " line 6", " line 7",
                " line 8",
            ]
        )
    }

    @Test func distantChangesMakeTwoHunks() {
        let before = (1...20).map { "l\($0)" }.joined(separator: "\n")
        let after = before.replacingOccurrences(of: "l2\n", with: "L2\n").replacingOccurrences(of: "l19\n", with: "")
        let diff = UnifiedDiff(before: before, after: after)
        #expect(diff.hunks.map(\.header) == ["@@ -1,5 +1,5 @@", "@@ -16,5 +16,4 @@"])
    }

    @Test func newFileAndIdenticalText() {
        #expect(UnifiedDiff(before: "", after: "a\nb\n").lines == ["@@ -0,0 +1,2 @@", "+a", "+b"])
        #expect(UnifiedDiff(before: "same\n", after: "same\n").isEmpty)
    }
}
