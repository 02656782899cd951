using System.Runtime.InteropServices;

namespace Meterai.Gateway.Ledger;

/// <summary>
/// Keeps glibc from handing freed native memory back to the kernel at once. SQLite's page cache
/// and statements allocate and free native memory on every write, and the writer runs on whichever
/// thread-pool thread resumes it, so glibc's per-thread heaps kept trimming (madvise, with a TLB
/// flush on every CPU) and faulting the same pages in again: about a third of the ledger's CPU,
/// measured with perf (docs/benchmarks.md, "The native heap"). A fixed trim threshold also turns
/// off glibc's sliding mmap threshold, which is what kept moving the churn into fresh pages.
/// </summary>
internal static partial class NativeHeap
{
    // mallopt's M_TRIM_THRESHOLD (malloc.h): free memory at the top of a heap is returned past this.
    private const int TrimThresholdOption = -1;
    private const int TrimThresholdBytes = 64 * 1024 * 1024;

    private static int _configured;

    /// <summary>Once per process, on Linux with glibc; elsewhere (or without mallopt) nothing happens.</summary>
    public static void KeepFreedMemory()
    {
        // Called on every SQLite connection open: after the first, a read and nothing else.
        if (Volatile.Read(ref _configured) == 1 || Interlocked.Exchange(ref _configured, 1) == 1 || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallOpt(TrimThresholdOption, TrimThresholdBytes);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, for one): its allocator has no such knob, and nothing is lost.
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int MallOpt(int option, int value);
}
