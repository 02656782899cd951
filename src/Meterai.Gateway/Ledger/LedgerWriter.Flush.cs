namespace Meterai.Gateway.Ledger;

internal sealed partial class LedgerWriter
{
    /// <summary>
    /// The flush half of the group commit (<see cref="ICommitFlush"/>): committed batches queue here,
    /// and one thread syncs and answers them, all that committed before its flush began, while the
    /// writer loop goes on committing.
    /// </summary>
    /// <remarks>A thread of its own, not the pool's: a flush blocks in the kernel for the disk's time.</remarks>
    private sealed class Flusher
    {
        private readonly ICommitFlush _flush;
        private readonly ILogger _logger;
        private readonly Thread _thread;
        private readonly object _gate = new();
        private List<WriteJob> _committed = [];
        private List<WriteJob> _flushing = [];
        private bool _dirty;
        private bool _stopping;
        private long _flushes;

        public Flusher(ICommitFlush flush, ILogger logger)
        {
            _flush = flush;
            _logger = logger;
            _thread = new Thread(Run) { IsBackground = true, Name = "Ledger WAL flush" };
            _thread.Start();
        }

        public long Flushes => Interlocked.Read(ref _flushes);

        /// <summary>
        /// Jobs whose transaction has committed. A <see cref="WriteDurability.Durable"/> one is answered
        /// after the next flush that begins from now on, a <see cref="WriteDurability.Committed"/> one
        /// at once; that flush covers both.
        /// </summary>
        public void Committed(List<WriteJob> jobs)
        {
            lock (_gate)
            {
                foreach (var job in jobs)
                {
                    if (job.Durability == WriteDurability.Durable)
                    {
                        _committed.Add(job);
                    }
                }

                _dirty = true;
                Monitor.Pulse(_gate);
            }

            foreach (var job in jobs)
            {
                if (job.Durability == WriteDurability.Committed)
                {
                    job.Publish();
                }
            }
        }

        /// <summary>Flushes and answers what is committed, then ends the thread.</summary>
        public void Stop()
        {
            lock (_gate)
            {
                _stopping = true;
                Monitor.Pulse(_gate);
            }

            _thread.Join();
        }

        private void Run()
        {
            while (true)
            {
                lock (_gate)
                {
                    while (!_dirty && !_stopping)
                    {
                        Monitor.Wait(_gate);
                    }

                    if (!_dirty)
                    {
                        return;
                    }

                    // Taken before the flush begins: only these committed before it, so only these does it cover.
                    (_flushing, _committed) = (_committed, _flushing);
                    _dirty = false;
                }

                FlushAndAnswer(_flushing);
                _flushing.Clear();
            }
        }

        private void FlushAndAnswer(List<WriteJob> jobs)
        {
            try
            {
                _flush.Flush();
                Interlocked.Increment(ref _flushes);
            }
            catch (Exception failure)
            {
                // Committed, but not known to be on disk: the callers must not act as if it were.
                LogFlushFailed(_logger, jobs.Count, failure.GetType().Name);
                foreach (var job in jobs)
                {
                    job.Fail(failure);
                }

                return;
            }

            foreach (var job in jobs)
            {
                job.Publish();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The ledger's disk did not confirm a flush ({Failure}); {Count} committed purchase writes fail")]
    private static partial void LogFlushFailed(ILogger logger, int count, string failure);
}
