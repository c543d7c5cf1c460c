import Foundation
import LurusEngine
import Synchronization

/// Asks a yes/no question on the terminal without blocking the run's tasks: the answer is read on a thread
/// of its own, and a Ctrl-C while waiting counts as "no".
enum Prompt {
    static func confirm(_ question: String, control: RunControl) async -> Bool {
        Terminal.standardError.write(bytes: Array("\(question) [y/N] ".utf8))
        let answer = Mutex<String??>(nil)
        let reader = Thread { answer.withLock { $0 = .some(readLine()) } }
        reader.start()
        while true {
            if let line = answer.withLock({ $0 }) {
                return ["y", "yes"].contains((line ?? "").trimmingCharacters(in: .whitespaces).lowercased())
            }
            if control.isStopped || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
