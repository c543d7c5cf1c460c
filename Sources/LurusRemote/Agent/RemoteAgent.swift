import Foundation

/// The long-lived runner a session starts on a node, so that a command costs a frame over one SSH channel
/// instead of a new SSH session (10-20 ms each here, above the 10 ms a command may cost).
///
/// Written by hand (like `RemoteRunner`, in Perl since `perl-base` is Essential on Debian and Ubuntu):
/// nothing else runs many commands over one channel with these guarantees. It keeps every one of the
/// runner's: each command in its own process group; its deadline enforced on the node (TERM to the group,
/// KILL 5 s later); a signal, a timeout and an exit status reported exactly; a command with no shell
/// metacharacters started directly, any other (or one whose direct start fails) through `/bin/sh -c`; and
/// when the session goes away (its stdin ends, its parent changes: Ctrl-C, a dropped connection, a killed
/// `lurusctl`) or it is signalled, every command's group is stopped the same way before it exits. Commands
/// get SIGPIPE's default action back, though the agent itself ignores it.
///
/// Frames are `AgentFrame`'s. The agent waits with `select` (half a second at most, so deadlines and a
/// changed parent are seen) and reports a job only once its process is reaped and both of its outputs are
/// closed, as ssh does; if a killed job's outputs stay open (a process that left its group holds them) it
/// is reported 5 s after the KILL anyway.
public enum RemoteAgent {
    static let script = #"""
        use POSIX (); use Fcntl;
        $SIG{PIPE} = 'IGNORE'; binmode STDIN; binmode STDOUT;
        my $parent = getppid(); my ($in, $eof, $mute, %jobs) = ('', 0, 0);
        sub frame { my ($k, $id, $d) = @_; return if $mute; my $b = pack('aNN', $k, $id, length $d) . $d;
            while (length $b) { my $n = syswrite(STDOUT, $b);
                if (defined $n) { substr($b, 0, $n, '') } elsif (!$!{EINTR}) { $mute = 1; stop_all(); return } } }
        sub stop { my ($j) = @_; return if $j->{late}; kill('TERM', -$j->{pid}) or kill('TERM', $j->{pid}); $j->{late} = time + 5 }
        sub stop_all { $eof = 1; for (values %jobs) { $_->{gone} = 1; stop($_) } }
        $SIG{TERM} = $SIG{HUP} = $SIG{INT} = sub { stop_all() }; $SIG{CHLD} = sub {};
        my $block = POSIX::SigSet->new(POSIX::SIGTERM(), POSIX::SIGHUP(), POSIX::SIGINT());
        sub start { my ($id, $t, $c) = @_; my ($ir, $iw, $or, $ow, $er, $ew);
            unless (pipe($ir, $iw) && pipe($or, $ow) && pipe($er, $ew)) { frame('X', $id, "failed: pipe: $!"); return }
            # Signals wait until the child has its own group and default actions: a stop that comes at once
            # must reach the command, not the agent's handlers in the child.
            my $old = POSIX::SigSet->new; POSIX::sigprocmask(POSIX::SIG_BLOCK(), $block, $old);
            my $pid = fork;
            unless (defined $pid) { POSIX::sigprocmask(POSIX::SIG_SETMASK(), $old); frame('X', $id, "failed: fork: $!"); return }
            if (!$pid) { $SIG{$_} = 'DEFAULT' for qw(TERM HUP INT CHLD PIPE); setpgrp(0, 0);
                POSIX::sigprocmask(POSIX::SIG_SETMASK(), $old);
                open(STDIN, '<&', $ir); open(STDOUT, '>&', $ow); open(STDERR, '>&', $ew);
                { exec $c }; exec('/bin/sh', '-c', $c); POSIX::_exit(127) }
            setpgrp($pid, $pid); POSIX::sigprocmask(POSIX::SIG_SETMASK(), $old);
            close $ir; close $ow; close $ew; fcntl($iw, F_SETFL, fcntl($iw, F_GETFL, 0) | O_NONBLOCK);
            $jobs{$id} = { pid => $pid, in => $iw, out => $or, err => $er, buf => '', shut => 0,
                end => ($t > 0 ? time + $t : 0), late => 0, gone => 0 } }
        sub requests { while (length($in) >= 9) { my ($k, $id, $n) = unpack('aNN', $in); last if length($in) < 9 + $n;
                my $d = substr($in, 9, $n); substr($in, 0, 9 + $n, ''); my $j = $jobs{$id};
                if ($k eq 'R') { start($id, unpack('N', $d), substr($d, 4)) }
                elsif ($k eq 'I') { $j->{buf} .= $d if $j && $j->{in} }
                elsif ($k eq 'C') { $j->{shut} = 1 if $j }
                elsif ($k eq 'K') { if ($j) { $j->{gone} = 1; stop($j) } } } }
        sub feed { my ($j) = @_;
            if (length $j->{buf}) { my $n = syswrite($j->{in}, $j->{buf});
                if (defined $n) { substr($j->{buf}, 0, $n, '') } elsif (!$!{EAGAIN} && !$!{EINTR}) { $j->{buf} = ''; $j->{shut} = 1 } }
            if (!length $j->{buf} && $j->{shut}) { close $j->{in}; $j->{in} = undef } }
        frame('H', 0, 'lurusctl-agent 1');
        while (!$eof || %jobs) {
            my ($r, $w, $soon) = ('', '', 0); vec($r, 0, 1) = 1 unless $eof;
            for my $j (values %jobs) {
                vec($r, fileno($j->{out}), 1) = 1 if $j->{out}; vec($r, fileno($j->{err}), 1) = 1 if $j->{err};
                vec($w, fileno($j->{in}), 1) = 1 if $j->{in} && (length $j->{buf} || $j->{shut});
                $soon = 1 if !$j->{out} && !$j->{err} && !defined $j->{status} }
            my ($ro, $wo) = ($r, $w);
            if (select($ro, $wo, undef, $soon ? 0.005 : 0.5) > 0) {
                if (!$eof && vec($ro, 0, 1)) { my $n = sysread(STDIN, $in, 65536, length $in);
                    if ($n) { requests() } elsif (defined $n || !$!{EINTR}) { stop_all() } }
                for my $id (keys %jobs) { my $j = $jobs{$id};
                    for my $s (['out', 'O'], ['err', 'E']) { my $fh = $j->{$s->[0]} or next; next unless vec($ro, fileno($fh), 1);
                        my $n = sysread($fh, my $d, 65536);
                        if ($n) { frame($s->[1], $id, $d) } elsif (defined $n || !$!{EINTR}) { close $fh; $j->{$s->[0]} = undef } }
                    feed($j) if $j->{in} && vec($wo, fileno($j->{in}), 1) } }
            while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) { for (values %jobs) { $_->{status} = $? if $_->{pid} == $pid } }
            my $now = time;
            for my $id (keys %jobs) { my $j = $jobs{$id};
                if ($j->{late}) { kill('KILL', -$j->{pid}) if $now >= $j->{late} } elsif ($j->{end} && $now >= $j->{end}) { stop($j) }
                next unless defined $j->{status};
                if ($j->{out} || $j->{err}) { next unless $j->{late} && $now >= $j->{late} + 5;
                    for (qw(out err)) { close $j->{$_} if $j->{$_}; $j->{$_} = undef } }
                close $j->{in} if $j->{in}; my $s = $j->{status};
                frame('X', $id, $j->{late} && !$j->{gone} ? 'timeout' : ($s & 127) ? 'signal ' . ($s & 127) : 'exit ' . ($s >> 8));
                delete $jobs{$id} }
            stop_all() if !$eof && getppid() != $parent }
        """#

    /// The argv that starts the agent on a node (through `sudo -n` when the login user is not root).
    public static func command(become: Bool) -> ShellCommand {
        var arguments: [[UInt8]] = []
        if become { arguments += [Array("sudo".utf8), Array("-n".utf8), Array("--".utf8)] }
        arguments += [Array("perl".utf8), Array("-e".utf8), Array(Self.script.utf8)]
        return ShellCommand(bytes: arguments)
    }
}

extension RemoteAgent {
    /// Makes a write to a closed pipe an error (EPIPE) instead of a signal that ends this process: an
    /// agent's `ssh` can end at any moment (a node reboots) while a frame is being written to it. Children
    /// are unaffected: swift-subprocess gives every process it starts the default signal actions.
    public static func ignoreBrokenPipes() {
        _ = Self.brokenPipesIgnored
    }

    private static let brokenPipesIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
}
