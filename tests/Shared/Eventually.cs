using System.Diagnostics;

namespace Meterai.Testing;

/// <summary>
/// The one way tests await a condition instead of sleeping a guessed time: poll until it holds, and once
/// the time is up fail with a <see cref="TimeoutException"/> naming what was awaited.
/// Shared by both test projects (tests/Shared is compiled into each).
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(20);

    /// <param name="what">What is awaited, for the failure message ("the first probe round").</param>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null, TimeSpan? every = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, within, every);

    /// <inheritdoc cref="TrueAsync(Func{bool}, string, TimeSpan?, TimeSpan?)"/>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null, TimeSpan? every = null) =>
        await MatchesAsync(condition, holds => holds, what, within, every);

    /// <summary>Reads until the value read matches, and returns it; the failure message shows the last value read.</summary>
    public static async Task<T> MatchesAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? within = null, TimeSpan? every = null)
    {
        var limit = within ?? DefaultWithin;
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (elapsed.Elapsed > limit)
            {
                throw new TimeoutException(value is bool
                    ? $"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}."
                    : $"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}; last: {value}");
            }

            await Task.Delay(every ?? DefaultEvery);
        }
    }
}
