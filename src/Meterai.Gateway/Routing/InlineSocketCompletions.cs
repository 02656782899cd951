using Meterai.Gateway.Ledger;

namespace Meterai.Gateway.Routing;

/// <summary>
/// Lets a distributor's answer be read on the socket thread that saw it arrive, instead of queueing
/// behind every applicant request waiting for the thread pool.
/// </summary>
/// <remarks>
/// Under a retry storm the thread pool's queue holds thousands of requests that will be refused,
/// and it is first come, first served: a distributor's answer waited 7 ms in it, on every order,
/// and the slot the answer frees waited with it (docs/benchmarks.md, "Where a storm's slot time
/// went"). Inline, the answer is read, the next order ready at that distributor is sent, and the
/// answer is handed to the ledger's writer before the socket thread moves on. Kestrel is not
/// affected: it still schedules applicant requests on the thread pool.
/// <para>
/// Not with the PostgreSQL ledger: there every database read also resumes on a socket thread, and a
/// synchronous call after it (ASP.NET Core data protection's key store is synchronous) waits for
/// that same thread to see its answer, which it never does (the likely cause of one of three
/// gateways starting together hanging in CI). The SQLite ledger's calls block on the disk, never on a socket.
/// </para>
/// The runtime reads the setting once, when the first socket is created, so it is set before the
/// host is built; an operator who sets DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS (to 0, say)
/// keeps their choice.
/// </remarks>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline socket completions on for this process, with a ledger that uses no sockets (SQLite), unless the environment already says.</summary>
    public static void PreferUnlessSet(IConfiguration configuration)
    {
        // An unknown provider resolves to no dialect: left off, and options validation stops the start.
        if (LedgerDialects.Resolve(configuration).Dialect is { UsesSockets: false } && Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
