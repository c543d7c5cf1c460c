import LurusRemote

/// The fixed shell scripts behind the cluster lock. Each runs as `sh -c SCRIPT lurus-lock DIRECTORY [ID]`:
/// values are positional parameters, never part of the script.
///
/// Exit statuses: 0 done; 2 nothing was locked; 3 someone holds the lock (its `holder.json` is printed, if
/// readable); anything else is a failure, explained on standard error.
enum LockScripts {
    /// Takes the lock with an atomic `mkdir`; the new `holder.json` (0600) comes on stdin, read whole first.
    static let acquire = """
        set -u
        umask 077
        holder=$(cat)
        base=$1 lock=$1/lock
        mkdir -p "$base" && chmod 0700 "$base" || exit 4
        if mkdir "$lock" 2>/dev/null; then
            if printf '%s\\n' "$holder" > "$lock/holder.json.new" && chmod 0600 "$lock/holder.json.new" \\
                && mv "$lock/holder.json.new" "$lock/holder.json"; then
                exit 0
            fi
            rm -rf "$lock"
            echo "cannot write $lock/holder.json" >&2
            exit 4
        fi
        [ -d "$lock" ] || { echo "cannot create $lock" >&2; exit 4; }
        [ -s "$lock/holder.json" ] && cat "$lock/holder.json"
        exit 3
        """

    /// Prints the holder (exit 3), or exits 2 when nothing is locked.
    static let status = """
        set -u
        lock=$1/lock
        [ -d "$lock" ] || exit 2
        [ -s "$lock/holder.json" ] && cat "$lock/holder.json"
        exit 3
        """

    /// Removes the lock only when its holder has the id `$2`; else prints the holder and exits 3.
    static let release = """
        set -u
        lock=$1/lock
        [ -d "$lock" ] || exit 2
        if [ -s "$lock/holder.json" ] && grep -qF "\\"id\\":\\"$2\\"" "$lock/holder.json"; then
            rm -rf "$lock" || exit 4
            exit 0
        fi
        [ -s "$lock/holder.json" ] && cat "$lock/holder.json"
        exit 3
        """

    /// Removes whatever lock is there, printing its holder first; exits 2 when nothing is locked.
    static let forceRelease = """
        set -u
        lock=$1/lock
        [ -d "$lock" ] || exit 2
        [ -s "$lock/holder.json" ] && cat "$lock/holder.json"
        rm -rf "$lock" || exit 4
        exit 0
        """

    /// `sh -c SCRIPT lurus-lock DIRECTORY ARGUMENTS...`.
    static func command(
        _ script: String,
        directory: String = ClusterLock.directory,
        _ arguments: String...
    )
        -> ShellCommand
    {
        ShellScript("lurus-lock", script, [directory] + arguments).command
    }
}
