/// What a JetStream delivery's reply subject says about it: which consumer, how many times it
/// was delivered, its stream and consumer sequences.
///
/// The server writes either form (nats.go reads both the same way):
/// - `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` (9 tokens);
/// - `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>[.<token>…]`
///   (11 or more; the domain `_` means none).
public struct JetStreamAckMetadata: Sendable, Equatable {
    /// The JetStream domain, nil for none.
    public var domain: String?
    /// The stream the message is in.
    public var stream: String
    /// The consumer that delivered it.
    public var consumer: String
    /// How many times it has been delivered, this time included: 1 the first time.
    public var delivered: UInt64
    /// Its sequence in the stream; the same on every delivery.
    public var streamSequence: UInt64
    /// The consumer's delivery counter; a redelivery gets a new one.
    public var consumerSequence: UInt64
    /// When the stream stored it, in nanoseconds since 1970.
    public var timestamp: UInt64
    /// How many messages of the consumer's were still undelivered after this one.
    public var pending: UInt64

    /// Creates a metadata value.
    public init(
        domain: String? = nil,
        stream: String,
        consumer: String,
        delivered: UInt64,
        streamSequence: UInt64,
        consumerSequence: UInt64,
        timestamp: UInt64,
        pending: UInt64
    ) {
        self.domain = domain
        self.stream = stream
        self.consumer = consumer
        self.delivered = delivered
        self.streamSequence = streamSequence
        self.consumerSequence = consumerSequence
        self.timestamp = timestamp
        self.pending = pending
    }

    /// Reads a reply subject; nil when it is not a JetStream acknowledgement subject. On bytes: every
    /// delivery has one.
    public init?(replySubject: String) {
        let tokens = replySubject.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard tokens.count >= 9, tokens[0].elementsEqual("$JS".utf8), tokens[1].elementsEqual("ACK".utf8) else {
            return nil
        }
        let names: ArraySlice<Substring.UTF8View>
        let numbers: ArraySlice<Substring.UTF8View>
        var domain: String?
        if tokens.count == 9 {
            names = tokens[2..<4]
            numbers = tokens[4..<9]
        } else if tokens.count >= 11 {
            domain = tokens[2].elementsEqual("_".utf8) ? nil : String(Substring(tokens[2]))
            names = tokens[4..<6]
            numbers = tokens[6..<11]
        } else {
            return nil
        }
        let values = numbers.compactMap(ASCIIDecimal.uint64)
        guard values.count == 5, names.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.init(
            domain: domain,
            stream: String(Substring(names[names.startIndex])),
            consumer: String(Substring(names[names.startIndex + 1])),
            delivered: values[0],
            streamSequence: values[1],
            consumerSequence: values[2],
            timestamp: values[3],
            pending: values[4]
        )
    }
}
