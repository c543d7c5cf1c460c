import LurusRelease
import Testing

@Suite struct LurusReleaseTargetTests {
    @Test func theTargetIsBuilt() {
        #expect("\(LurusRelease.self)" == "LurusRelease")
    }
}
