import Foundation
import LLMTestSupport
import NIOCore
import NIOPosix

// Tasks run on NIO's event loops, as in the gateway: no thread hop per streamed event. The fake shares
// the benchmark's cores with the gateway, so its own cost would otherwise show as the gateway's.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

/// `lurus-fake-upstream [--host H] [--port P]`: the fake LLM upstream for tests and benchmarks.
let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let host = option("--host") ?? "127.0.0.1"
guard let port = Int(option("--port") ?? "18900") else {
    FileHandle.standardError.write(Data("lurus-fake-upstream: --port must be a number\n".utf8))
    exit(2)
}
try await FakeUpstream.run(host: host, port: port, state: FakeUpstreamState())
