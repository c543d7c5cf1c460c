/// The small program every remote command runs under, and how to read what it reports.
///
/// Written by hand because nothing else does it: OpenSSH's client exits 255 with no detail when the remote
/// command dies of a signal, and killing a local `ssh` over a ControlMaster leaves the remote command
/// running. The runner (Perl, since `perl-base` is Essential on Debian and Ubuntu) puts the command in its
/// own process group, enforces the deadline on the node by signalling the whole group (TERM, then KILL
/// after 5 s), does the same when its SSH session goes away (its parent changes: Ctrl-C, a dropped
/// connection) or it is signalled, and reports a signal, a timeout or an exit status of 255 (which ssh
/// uses for its own failures) as a last stderr line. It checks once
/// a second from an alarm, so a command that ends sooner pays nothing for it. Perl's one-string `exec`
/// runs a command with no shell metacharacters directly and any other through `/bin/sh -c`, which saves
/// a shell start (about 1 ms) on simple commands; when the direct start fails (a shell builtin such as
/// `exit` or `cd`, or a missing command) the command goes to `/bin/sh -c`, so its meaning never changes.
public enum RemoteRunner {
    /// Exit status the runner uses when it reports instead of passing the command's status through.
    public static let reportStatus: Int32 = 254
    static let marker = "lurusctl-runner:"

    static let script = """
        my ($t, $c) = @ARGV; my $parent = getppid(); my $p = fork; defined $p or die "lurusctl-runner: fork: $!\\n";
        if (!$p) { setpgrp(0, 0); { exec $c }; exec('/bin/sh', '-c', $c); exit 127 }
        my ($end, $late, $gone) = ($t > 0 ? time + $t : 0, 0, 0);
        sub stop { kill 'TERM', -$p; $late = time + 5 }
        $SIG{TERM} = $SIG{HUP} = $SIG{INT} = sub { $gone = 1; stop() };
        $SIG{ALRM} = sub {
            if ($late) { kill 'KILL', -$p if time >= $late }
            elsif (getppid() != $parent) { $gone = 1; stop() }
            elsif ($end && time >= $end) { stop() }
            alarm 1 };
        alarm 1;
        while (waitpid($p, 0) == -1) { last unless $!{EINTR} }
        my $s = $?;
        if ($late && !$gone) { print STDERR "\\nlurusctl-runner: timed-out\\n"; exit 254 }
        if ($s & 127) { print STDERR "\\nlurusctl-runner: signal=" . ($s & 127) . "\\n"; exit 254 }
        if (($s >> 8) == 255) { print STDERR "\\nlurusctl-runner: exit=255\\n"; exit 254 }
        exit($s >> 8);
        """

    /// The argv that runs `command` (a shell command line) under the runner with a deadline in seconds.
    public static func wrap(_ command: [UInt8], timeoutSeconds: Int, become: Bool) -> ShellCommand {
        var arguments: [[UInt8]] = []
        if become { arguments += [Array("sudo".utf8), Array("-n".utf8), Array("--".utf8)] }
        arguments += [
            Array("perl".utf8), Array("-e".utf8), Array(script.utf8), Array(String(timeoutSeconds).utf8), command,
        ]
        return ShellCommand(bytes: arguments)
    }

    /// What the runner reported, and stderr without its report line.
    public enum Outcome: Sendable, Hashable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
    }

    public static func decode(status: Int32, stderr: [UInt8]) -> (Outcome, [UInt8]) {
        guard status == reportStatus else { return (.exited(status), stderr) }
        var lines = stderr.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let last = lines.last, let text = String(validating: last, as: UTF8.self), text.hasPrefix(marker) else {
            return (.exited(status), stderr)
        }
        lines.removeLast()
        // The runner put a newline before its line so it starts a line of its own: drop that too.
        if lines.last?.isEmpty == true { lines.removeLast() }
        let rest = lines.isEmpty ? [] : Array(lines.joined(separator: [UInt8(ascii: "\n")])) + [UInt8(ascii: "\n")]
        let report = text.dropFirst(marker.count).trimmingCharacters(in: " ")
        if report == "timed-out" { return (.timedOut, rest) }
        if report.hasPrefix("signal="), let signal = Int32(report.dropFirst("signal=".count)) {
            return (.signaled(signal), rest)
        }
        // ssh itself exits 255 on its own failures, so the runner reports a command's 255 this way.
        if report.hasPrefix("exit="), let code = Int32(report.dropFirst("exit=".count)) {
            return (.exited(code), rest)
        }
        return (.exited(status), stderr)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        String(self.drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
