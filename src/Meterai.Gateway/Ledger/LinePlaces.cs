using System.Buffers;
using System.Text.Json;
using Dapper;

namespace Meterai.Gateway.Ledger;

/// <summary>
/// The line in a rush as the gateways on one ledger share it (table <c>line_places</c>): each writes
/// its changes in batches and reads the others' (Admission/PlaceSync; docs/order-of-service.md,
/// "Several gateways"). Merging is idempotent, so reading a change twice costs nothing but the read.
/// </summary>
internal sealed class LinePlaces(LedgerDatabase database)
{
    /// <summary>
    /// How far before the newest change seen each read starts again. A change is stamped by the
    /// database's clock when its statement runs and becomes visible only at its commit, so a batch
    /// stamped earlier may commit after a later one was read: a cursor at the newest stamp would skip it.
    /// </summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(1);

    private static readonly LedgerStatement Changed = LedgerStatement.Load("line-places-changed", "Since", "Now");
    private static readonly LedgerStatement Prune = LedgerStatement.Load("line-places-prune", "Before");

    private readonly LedgerStatement _write = LedgerStatement.Load($"line-places-write.{database.Dialect.Name}", "Places");

    /// <summary>Writes one batch in one statement: the earliest ticket, the latest promise, and served once served anywhere, per key.</summary>
    /// <param name="places">At most one per key.</param>
    public async Task WriteAsync(IReadOnlyCollection<SharedPlace> places, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(places);
        if (places.Count == 0)
        {
            return;
        }

        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        await lease.Connection.ExecuteAsync(new CommandDefinition(_write.Sql, new { Places = Json(places) }, cancellationToken: cancellationToken));
    }

    /// <summary>The rows changed at or after <paramref name="cursor"/>, and where the next read starts.</summary>
    /// <param name="cursor">0 at first: every place not lost yet.</param>
    /// <param name="now">Places that lost their place before this are left out.</param>
    public async Task<(IReadOnlyList<SharedPlace> Places, long Cursor)> ChangesAsync(long cursor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            Changed.Sql, new { Since = cursor, Now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        var places = new List<SharedPlace>();
        var newest = long.MinValue;
        foreach (var row in rows)
        {
            places.Add(new SharedPlace(
                row.IdempotencyKey,
                row.Ticket,
                DateTimeOffset.FromUnixTimeMilliseconds(row.DueAt),
                DateTimeOffset.FromUnixTimeMilliseconds(row.KeepUntil),
                row.Served != 0));
            newest = Math.Max(newest, row.ChangedAt);
        }

        return (places, places.Count == 0 ? cursor : Math.Max(cursor, newest - (long)Overlap.TotalMilliseconds));
    }

    /// <summary>Deletes the rows whose place ended before <paramref name="before"/>, served or not; the rows deleted.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        return await lease.Connection.ExecuteAsync(new CommandDefinition(
            Prune.Sql, new { Before = before.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    /// <summary>The batch as the statement's one JSON parameter, in key order (the order PostgreSQL locks the rows in).</summary>
    private static string Json(IEnumerable<SharedPlace> places)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var place in places.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("key", place.Key);
                writer.WriteNumber("ticket", place.Ticket);
                writer.WriteNumber("dueAt", place.DueAt.ToUnixTimeMilliseconds());
                writer.WriteNumber("keepUntil", place.KeepUntil.ToUnixTimeMilliseconds());
                writer.WriteNumber("served", place.Served ? 1 : 0);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Properties rather than a constructor: Dapper converts SQLite's and PostgreSQL's integer types into them alike.</summary>
    private sealed class Row
    {
        public string IdempotencyKey { get; set; } = "";

        public long Ticket { get; set; }

        public long DueAt { get; set; }

        public long KeepUntil { get; set; }

        public int Served { get; set; }

        public long ChangedAt { get; set; }
    }
}

/// <summary>A key's place as the ledger shares it between gateways.</summary>
/// <param name="Ticket">First arrival in UTC ticks; the earliest any gateway saw wins.</param>
/// <param name="DueAt">When its latest Retry-After falls due (kept to the millisecond).</param>
/// <param name="KeepUntil">When it loses its place (kept to the millisecond).</param>
/// <param name="Served">Its turn came at some gateway: it leaves every line.</param>
internal sealed record SharedPlace(string Key, long Ticket, DateTimeOffset DueAt, DateTimeOffset KeepUntil, bool Served);
