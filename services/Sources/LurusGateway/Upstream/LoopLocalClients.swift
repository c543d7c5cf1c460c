import AsyncHTTPClient
import NIOCore
import NIOPosix

/// One AsyncHTTPClient per event loop, each with its connections on its own loop; `current` is the
/// client of the loop the caller runs on, as Envoy keeps a connection pool per worker.
///
/// One shared client hands out any idle connection: a request read on one loop would go out and
/// come back on another, two thread wake-ups per call. Provider calls and balance checks, both on
/// a request's path, use these clients.
final class LoopLocalClients: Sendable {
    private let clients: [ObjectIdentifier: HTTPClient]
    private let fallback: HTTPClient

    init(configuration: HTTPClient.Configuration, group: MultiThreadedEventLoopGroup = .singleton) {
        let loops = Array(group.makeIterator())
        let clients = loops.map { HTTPClient(eventLoopGroup: $0, configuration: configuration) }
        self.clients = Dictionary(uniqueKeysWithValues: zip(loops.map { ObjectIdentifier($0) }, clients))
        self.fallback = clients[0]
    }

    /// The client whose connections live on the current event loop (off the group's loops, the
    /// first loop's).
    var current: HTTPClient {
        MultiThreadedEventLoopGroup.currentEventLoop.flatMap { self.clients[ObjectIdentifier($0)] } ?? self.fallback
    }

    func shutdown() async {
        for client in self.clients.values {
            try? await client.shutdown()
        }
    }
}
