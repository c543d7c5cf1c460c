import Foundation
import LurusInventory

/// Alertmanager's configuration from `alerting:`: the default receiver, the routes in the order written,
/// the Watchdog alert to its dead-man's switch (or nowhere), critical alerts silencing warnings about the
/// same thing, and every receiver told of resolutions. Pure: (settings, secret values) -> YAML text.
///
/// Every value the inventory wrote is emitted as a JSON string (YAML reads JSON), so no address or label
/// value can change the file's structure. Alertmanager 0.25 (Debian 12) has no `url_file`, so webhook URLs
/// are written in the file, which is therefore a secret (0640, group prometheus, never shown in a plan).
enum AlertmanagerConfiguration {
    /// The receiver that sends nowhere: Watchdog's without a dead-man's switch, and everything's when the
    /// inventory names no receiver.
    static let discard = "lurus-discard"
    static let smtpPasswordPath = "/etc/prometheus/alertmanager-smtp-password"

    /// The secret name of a receiver's webhook URL and of the mail password.
    static func webhookSecret(_ receiver: String) -> String { "alerting/\(receiver)/webhook" }
    static let smtpSecret = "alerting/email/password"

    static func secretNeeds(_ alerting: AlertingSettings?) -> [SecretNeed] {
        guard let alerting else { return [] }
        var needs = alerting.receivers.compactMap { receiver in
            receiver.webhook.map {
                SecretNeed(self.webhookSecret(receiver.name), reference: $0, standIn: "https://stand-in.invalid/")
            }
        }
        if let password = alerting.email?.password { needs.append(SecretNeed(self.smtpSecret, reference: password)) }
        return needs
    }

    /// A string as YAML reads it without surprises: JSON-quoted.
    static func quoted(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        let array = data.flatMap { String(data: $0, encoding: .utf8) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }

    /// An Alertmanager matcher `label="value"`, its value escaped as the matcher syntax wants.
    static func matcher(_ label: String, _ value: String) -> String {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return self.quoted("\(label)=\"\(escaped)\"")
    }

    /// The file, given the webhook URLs by receiver name.
    static func render(_ alerting: AlertingSettings?, webhooks: [String: String]) -> String {
        var lines = [
            "# Managed by lurusctl (component alertmanager): receivers and routes from alerting: in the inventory.",
            "# Edits here are undone by the next up.",
        ]
        if let email = alerting?.email {
            lines += [
                "global:",
                "  smtp_smarthost: \(self.quoted(email.smarthost))",
                "  smtp_from: \(self.quoted(email.from))",
                "  smtp_require_tls: \(email.requireTLS)",
            ]
            if let username = email.username { lines.append("  smtp_auth_username: \(self.quoted(username))") }
            if email.password != nil { lines.append("  smtp_auth_password_file: \(self.smtpPasswordPath)") }
        }
        let settings = alerting
        // Timings as written, or the defaults for a cluster without `alerting:`.
        let timing = alerting ?? AlertingSettings.defaults
        // Watchdog's group never changes, so its group_interval only sets how often Alertmanager looks at
        // it: a repeat is sent at the first look after repeat_interval, and a failed delivery is retried
        // (backing off) until the next look. Both at most the cluster's own, so a short lab setting holds.
        let watchdogRepeat = min(5 * 60_000, timing.repeatInterval.milliseconds)
        let watchdogInterval = min(60_000, timing.groupInterval.milliseconds)
        lines += [
            "",
            "route:",
            "  receiver: \(self.quoted(settings?.receiver ?? self.discard))",
            "  group_by: [\"alertname\", \"job\", \"instance\"]",
            "  group_wait: \(PrometheusFlags.duration(timing.groupWait))",
            "  group_interval: \(PrometheusFlags.duration(timing.groupInterval))",
            "  repeat_interval: \(PrometheusFlags.duration(timing.repeatInterval))",
            "  routes:",
            "    # Watchdog always fires: it proves the alerting path works, and pages no one.",
            "    - receiver: \(self.quoted(settings?.watchdog ?? self.discard))",
            "      matchers: [\(self.matcher("alertname", "Watchdog"))]",
            "      group_wait: 0s",
            "      group_interval: \(PrometheusFlags.duration(milliseconds: watchdogInterval))",
            "      repeat_interval: \(PrometheusFlags.duration(milliseconds: watchdogRepeat))",
        ]
        for route in settings?.routes ?? [] {
            lines += [
                "    - receiver: \(self.quoted(route.receiver))",
                "      matchers: [\(route.match.map { self.matcher($0.label, $0.value) }.joined(separator: ", "))]",
            ]
        }
        lines += [
            "",
            "# A critical alert silences warnings about the same alert on the same instance.",
            "inhibit_rules:",
            "  - source_matchers: [\(self.matcher("severity", "critical"))]",
            "    target_matchers: [\(self.matcher("severity", "warning"))]",
            "    equal: [\"alertname\", \"instance\"]",
            "",
            "receivers:",
            "  - name: \(self.quoted(self.discard))",
        ]
        for receiver in settings?.receivers ?? [] {
            lines.append("  - name: \(self.quoted(receiver.name))")
            if let url = webhooks[receiver.name] {
                lines += [
                    "    webhook_configs:",
                    "      - url: \(self.quoted(url))",
                    "        send_resolved: true",
                ]
            }
            if !receiver.email.isEmpty {
                lines += [
                    "    email_configs:",
                    "      - to: \(self.quoted(receiver.email.joined(separator: ", ")))",
                    "        send_resolved: true",
                ]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
