/// Where Alertmanager sends alerts (`alerting:`): named receivers, routes that pick one by labels (the
/// first that matches wins), the default receiver, and the mail server e-mail receivers use.
///
/// Webhook URLs and the mail password are secret references: a webhook URL usually carries a token.
public struct AlertingSettings: Sendable, Hashable {
    public struct Receiver: Sendable, Hashable {
        public var name: String
        /// A webhook (Alertmanager's JSON body), from a secret reference.
        public var webhook: SecretReference?
        /// E-mail addresses; they need `alerting.email`.
        public var email: [String] = []

        public init(name: String, webhook: SecretReference? = nil, email: [String] = []) {
            self.name = name
            self.webhook = webhook
            self.email = email
        }
    }

    public struct Route: Sendable, Hashable {
        public var receiver: String
        /// Label name to the exact value an alert must have, in the order written.
        public var match: [(label: String, value: String)]

        public init(receiver: String, match: [(label: String, value: String)]) {
            self.receiver = receiver
            self.match = match
        }

        public static func == (lhs: Route, rhs: Route) -> Bool {
            lhs.receiver == rhs.receiver
                && lhs.match.map { "\($0.label)=\($0.value)" }
                    == rhs.match.map { "\($0.label)=\($0.value)" }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(self.receiver)
            for pair in self.match { hasher.combine("\(pair.label)=\(pair.value)") }
        }
    }

    public struct Email: Sendable, Hashable {
        /// `HOST:PORT` of the SMTP server.
        public var smarthost: String
        public var from: String
        public var username: String?
        public var password: SecretReference?
        public var requireTLS = true

        public init(smarthost: String, from: String) {
            self.smarthost = smarthost
            self.from = from
        }

        static let keys = ["smarthost", "from", "username", "password", "require_tls"]
    }

    /// The receiver of every alert no route takes.
    public var receiver: String
    public var receivers: [Receiver]
    public var routes: [Route] = []
    public var email: Email?
    /// The receiver of the always-firing Watchdog alert (a dead-man's switch such as healthchecks.io that
    /// raises the alarm when the pings stop); without one, Watchdog is kept from every other receiver.
    public var watchdog: String?
    public var groupWait = InventoryDuration(milliseconds: 30_000, text: "30s")
    public var groupInterval = InventoryDuration(milliseconds: 300_000, text: "5m")
    public var repeatInterval = InventoryDuration(milliseconds: 4 * 3_600_000, text: "4h")

    public init(receiver: String, receivers: [Receiver]) {
        self.receiver = receiver
        self.receivers = receivers
    }

    /// The timing defaults, for a cluster without `alerting:`.
    public static let defaults = AlertingSettings(receiver: "", receivers: [])

    static let keys = [
        "receiver", "receivers", "routes", "email", "watchdog", "group_wait", "group_interval", "repeat_interval",
    ]
    static let receiverKeys = ["webhook", "email"]
    static let routeKeys = ["receiver", "match"]
}
