namespace Meterai.Gateway.Ledger;

/// <summary>
/// Keeps a SQLite ledger to one gateway: a lock file beside the database, held with an exclusive
/// OS lock (flock) for the gateway's life. The OS drops the lock when the process ends however it
/// ends, SIGKILL included, so a crashed gateway never blocks the next start; the file that stays
/// behind is unlocked and simply taken again.
/// </summary>
internal sealed class SingleGatewayLock(LedgerDatabase database) : IDisposable
{
    private FileStream? _held;

    /// <exception cref="LedgerInUseException">Another gateway holds the lock.</exception>
    public void Acquire()
    {
        if (_held is not null || database.Dialect.SingleGatewayLockPath(database.ConnectionString) is not { } path)
        {
            return;
        }

        try
        {
            // FileShare.None is an exclusive, non-blocking flock on Unix (and a share lock on Windows).
            _held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new LedgerInUseException(
                $"Ledger '{path[..^".gateway-lock".Length]}' is in use by another gateway (lock file {path}); a SQLite ledger serves one gateway: stop the other, or share a PostgreSQL ledger (Ledger:Provider=postgres).");
        }
    }

    public void Dispose()
    {
        _held?.Dispose();
        _held = null;
    }
}

/// <summary>The ledger is held by another gateway; the message is the one line an operator sees.</summary>
internal sealed class LedgerInUseException(string message) : Exception(message);
