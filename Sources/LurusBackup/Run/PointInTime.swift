import Foundation

/// The decisions of `restore --to-time`: which base backup a recovery to a time starts from, and how the
/// time is written for PostgreSQL. Pure.
public enum PointInTime {
    /// The newest complete backup with a PostgreSQL base backup that had finished by `target` (a recovery
    /// can stop only after its base backup's end), or nil.
    public static func base(for target: Date, among manifests: [BackupManifest]) -> BackupManifest? {
        manifests
            .filter { $0.component(.postgres)?.hasBase == true && $0.finishedAt <= target }
            .max { $0.finishedAt < $1.finishedAt }
    }

    /// `recovery_target_time` for `date`: UTC, to the millisecond, with its zone.
    public static func recoveryTarget(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        let milliseconds = (parts.nanosecond ?? 0) / 1_000_000
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%03d+00",
            parts.year!,
            parts.month!,
            parts.day!,
            parts.hour!,
            parts.minute!,
            parts.second!,
            milliseconds
        )
    }

    /// A time as an operator writes it for `--to-time`: ISO 8601 with a zone (`2026-12-07T06:30:00Z`,
    /// `2026-12-07 07:30:00+01:00`, fractions of a second allowed), or nil.
    public static func parse(_ text: String) -> Date? {
        let normalized = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: normalized) { return date }
        }
        return nil
    }
}
