/// One fetch from a pull consumer, without I/O: the request's body, and what each message that
/// arrives on the fetch's inbox means.
///
/// The server sends up to `batch` deliveries, then ends the request with a status when it has
/// fewer: 404 (no messages, with `no_wait`), 408 (the request expired), 409 (the consumer was
/// deleted, or too many requests wait). 100 is a heartbeat.
struct PullFetch: Sendable {
    /// A delivered message and its parsed reply subject.
    struct Delivery: Sendable, Equatable {
        var message: NATSMessage
        var metadata: JetStreamAckMetadata
    }

    /// How the fetch ended.
    enum Ending: Sendable, Equatable {
        /// The batch is full, or the server said it has no more (404, 408).
        case complete
        /// The fetch failed; messages already received still count.
        case failed(NATSError)
    }

    let stream: String
    let consumer: String
    let batch: Int
    private(set) var deliveries: [Delivery] = []
    private(set) var ending: Ending?

    init(stream: String, consumer: String, batch: Int) {
        self.stream = stream
        self.consumer = consumer
        self.batch = batch
    }

    /// The API subject the pull request goes to.
    var requestSubject: String {
        "$JS.API.CONSUMER.MSG.NEXT.\(self.stream).\(self.consumer)"
    }

    /// The pull request's JSON: `{"batch":N,"expires":NANOSECONDS[,"no_wait":true]}`.
    static func requestBody(batch: Int, expires: Duration?, noWait: Bool) -> [UInt8] {
        var text = #"{"batch":\#(batch)"#
        if let expires { text += #","expires":\#(expires.jetStreamNanoseconds)"# }
        if noWait { text += #","no_wait":true"# }
        return Array((text + "}").utf8)
    }

    /// Takes one message from the fetch's inbox; true when the fetch is over.
    mutating func receive(_ message: NATSMessage) -> Bool {
        guard self.ending == nil else { return true }
        switch message.status {
        case nil:
            guard let replyTo = message.replyTo, let metadata = JetStreamAckMetadata(replySubject: replyTo) else {
                self.ending = .failed(
                    .protocolViolation(
                        "fetch from \(self.stream)/\(self.consumer) got a message that is not a JetStream delivery "
                            + "(reply subject \(message.replyTo ?? "none"))"
                    )
                )
                return true
            }
            self.deliveries.append(Delivery(message: message, metadata: metadata))
            if self.deliveries.count >= self.batch { self.ending = .complete }
        case 100:
            break
        case 404, 408:
            self.ending = .complete
        case 409:
            self.ending = .failed(
                .serverError(
                    "pull request to consumer \(self.consumer) on stream \(self.stream) ended: "
                        + (message.statusDescription ?? "status 409")
                )
            )
        case 503:
            self.ending = .failed(
                .serverError(
                    "no consumer \(self.consumer) on stream \(self.stream) answers pull requests; "
                        + "create it with ensureConsumer"
                )
            )
        case let status?:
            self.ending = .failed(
                .protocolViolation(
                    "pull request to \(self.stream)/\(self.consumer) got status \(status)"
                        + (message.statusDescription.map { " \($0)" } ?? "")
                )
            )
        }
        return self.ending != nil
    }

    /// What the fetch returns: the deliveries, unless it failed before any arrived. `open` says
    /// why it ended without a status: the connection closed, or the local deadline passed.
    func result(ifOpen open: Ending) -> Result<[Delivery], NATSError> {
        switch self.ending ?? open {
        case .complete:
            return .success(self.deliveries)
        case .failed(let error):
            return self.deliveries.isEmpty ? .failure(error) : .success(self.deliveries)
        }
    }
}
