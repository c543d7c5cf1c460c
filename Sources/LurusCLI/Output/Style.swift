/// ANSI colours for output on a terminal; plain text otherwise.
struct Style: Sendable {
    var enabled: Bool

    func green(_ text: String) -> String { self.wrap(text, "32") }
    func red(_ text: String) -> String { self.wrap(text, "31") }
    func yellow(_ text: String) -> String { self.wrap(text, "33") }
    func cyan(_ text: String) -> String { self.wrap(text, "36") }
    func bold(_ text: String) -> String { self.wrap(text, "1") }
    func dim(_ text: String) -> String { self.wrap(text, "2") }

    private func wrap(_ text: String, _ code: String) -> String {
        self.enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
