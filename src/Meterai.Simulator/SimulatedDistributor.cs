using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meterai.Simulator;

/// <summary>
/// One simulated e-Meterai distributor: its own Kestrel listener (so "down" can really refuse connections),
/// its stock and orders, and the behaviour switches of <see cref="DistributorBehavior"/>.
/// </summary>
public sealed class SimulatedDistributor : IAsyncDisposable
{
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly IPAddress _address;
    private readonly byte[]? _apiKey;
    private readonly ILogger _logger;
    private WebApplication? _app;
    private Uri? _baseUrl;
    private int _port;
    private long _flapEpochUtcTicks;
    private long _lastFlapPeriodTicks;
    private int _currentConcurrency;
    private int _maxObservedConcurrency;
    private int _unauthorizedRequests;
    private int _overloadRejections;
    private int _ordersPastCapacity;
    private bool _disposed;

    private SimulatedDistributor(SimulatedDistributorOptions options, TimeProvider time, SharedRandom random, ILogger logger)
    {
        options.Validate();
        Options = options;
        Time = time;
        _logger = logger;
        _address = ParseHost(options.Host);
        _apiKey = options.ApiKey is null ? null : Encoding.UTF8.GetBytes(options.ApiKey);
        Book = new OrderBook(options.Id, options.InitialStock, options.UnitPrice, time, random);
        _flapEpochUtcTicks = time.GetUtcNow().UtcTicks;
        _lastFlapPeriodTicks = options.Behavior.FlapPeriod.Ticks;
        Behavior.Changed += OnBehaviorChanged;
    }

    /// <summary>Registry id.</summary>
    public string Id => Options.Id;

    /// <summary>The options it was started with.</summary>
    public SimulatedDistributorOptions Options { get; }

    /// <summary>Runtime switches (the same instance as <c>Options.Behavior</c>).</summary>
    public DistributorBehavior Behavior => Options.Behavior;

    /// <summary>http://127.0.0.1:&lt;bound port&gt;/ — stable across RefuseConnections.</summary>
    public Uri BaseUrl => _baseUrl ?? throw new InvalidOperationException("The distributor has not been started.");

    /// <summary>Bound port, also while the listener is stopped.</summary>
    public int Port => _port;

    /// <summary>Whether the listener currently accepts connections.</summary>
    public bool IsListening => Volatile.Read(ref _app) is not null;

    /// <summary>E-Meterai available now (ignores <see cref="IdleMode.NoStock"/>, which only changes what /stock says).</summary>
    public int Stock => Book.Stock;

    /// <summary>Every order ever created (charged), as of now.</summary>
    public IReadOnlyList<SimulatedOrder> Orders => Book.Snapshot();

    /// <summary>How many orders were created (charged).</summary>
    public int OrdersCreated => Book.Count;

    /// <summary>POST /orders in progress now.</summary>
    public int CurrentConcurrency => Volatile.Read(ref _currentConcurrency);

    /// <summary>Highest number of concurrent POST /orders seen since start or <see cref="ResetStatistics"/>.</summary>
    public int MaxObservedConcurrency => Volatile.Read(ref _maxObservedConcurrency);

    /// <summary>Requests answered 401.</summary>
    public int UnauthorizedRequests => Volatile.Read(ref _unauthorizedRequests);

    /// <summary>Orders refunded (first refund of each order only).</summary>
    public int RefundsMade => Book.RefundsMade;

    /// <summary>Orders answered 503 because the distributor had collapsed (<see cref="OverloadFailure.Reject503"/>).</summary>
    public int OverloadRejections => Volatile.Read(ref _overloadRejections);

    /// <summary>Concurrent orders served at full speed now: <see cref="DistributorBehavior.Capacity"/> when set, else the configured one.</summary>
    public int CurrentCapacity => Behavior.Capacity > 0 ? Behavior.Capacity : Options.Capacity;

    /// <summary>POST /orders that arrived while the distributor already had its current capacity in progress.</summary>
    public int OrdersPastCapacity => Volatile.Read(ref _ordersPastCapacity);

    internal TimeProvider Time { get; }

    internal ILogger Logger => _logger;

    internal OrderBook Book { get; }

    /// <summary>"Sold out" is <c>SetStock(0)</c>.</summary>
    public void SetStock(int available) => Book.SetStock(available);

    /// <summary>Sets <see cref="DistributorBehavior.Down"/> and returns once the listener is stopped or accepting again.</summary>
    public async Task SetDownAsync(DownMode mode)
    {
        Behavior.Down = mode;
        await ReconcileListenerAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Resets MaxObservedConcurrency (to the current concurrency), UnauthorizedRequests, RefundsMade, OverloadRejections and OrdersPastCapacity. Orders and stock stay.</summary>
    public void ResetStatistics()
    {
        Volatile.Write(ref _maxObservedConcurrency, CurrentConcurrency);
        Volatile.Write(ref _unauthorizedRequests, 0);
        Volatile.Write(ref _overloadRejections, 0);
        Volatile.Write(ref _ordersPastCapacity, 0);
        Book.ResetRefundCount();
    }

    /// <summary>Stops the listener for good.</summary>
    public async ValueTask DisposeAsync()
    {
        Behavior.Changed -= OnBehaviorChanged;
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            await StopListenerAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    internal static async Task<SimulatedDistributor> StartAsync(
        SimulatedDistributorOptions options, TimeProvider time, SharedRandom random, ILoggerFactory? loggerFactory, CancellationToken ct)
    {
        var logger = (ILogger?)loggerFactory?.CreateLogger<SimulatedDistributor>() ?? NullLogger.Instance;
        var distributor = new SimulatedDistributor(options, time, random, logger);
        try
        {
            distributor._port = options.Port;
            if (options.Behavior.Down == DownMode.RefuseConnections && options.Port == 0)
            {
                // It starts down but must already own a URL for the registry; pick a free port now and bind it later.
                distributor._port = Hosting.DownPorts.Reserve(distributor._address);
            }

            await distributor.ReconcileListenerAsync(ct).ConfigureAwait(false);
            distributor._baseUrl ??= distributor.MakeBaseUrl();
            return distributor;
        }
        catch
        {
            await distributor.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal int EnterOrder()
    {
        var n = Interlocked.Increment(ref _currentConcurrency);
        var max = Volatile.Read(ref _maxObservedConcurrency);
        while (n > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxObservedConcurrency, n, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }

        return n;
    }

    internal void ExitOrder() => Interlocked.Decrement(ref _currentConcurrency);

    internal void CountUnauthorized() => Interlocked.Increment(ref _unauthorizedRequests);

    internal void CountOverloadRejection() => Interlocked.Increment(ref _overloadRejections);

    internal void CountPastCapacity() => Interlocked.Increment(ref _ordersPastCapacity);

    internal bool IsAuthorized(string? authorizationHeader)
    {
        if (_apiKey is null)
        {
            return true;
        }

        const string scheme = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Constant-time: the key is the gateway's secret.
        var presented = Encoding.UTF8.GetBytes(authorizationHeader[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _apiKey);
    }

    /// <summary>Down (503 mode), flapping in its down half, or in the middle of stopping the listener.</summary>
    internal bool IsUnavailableNow()
    {
        if (Behavior.Down != DownMode.None)
        {
            return true;
        }

        var period = Behavior.FlapPeriod;
        if (period <= TimeSpan.Zero)
        {
            return false;
        }

        var elapsed = Time.GetUtcNow().UtcTicks - Interlocked.Read(ref _flapEpochUtcTicks);
        return elapsed >= 0 && (elapsed / period.Ticks) % 2 == 1;
    }

    internal SimulatorState GetState() => new(
        Id,
        Options.Name,
        BaseUrl.ToString(),
        RequiresApiKey: _apiKey is not null,
        IsListening,
        Stock,
        Options.UnitPrice,
        CurrentCapacity,
        Options.ServiceTime,
        Options.CollapseFactor,
        Options.HangTime,
        OrdersCreated,
        CurrentConcurrency,
        MaxObservedConcurrency,
        UnauthorizedRequests,
        RefundsMade,
        OverloadRejections,
        OrdersPastCapacity,
        Behavior);

    private static IPAddress ParseHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(host, out var address)
            ? address
            : throw new ArgumentException($"Host must be an IP address or 'localhost', not '{host}'.", nameof(host));
    }

    private Uri MakeBaseUrl()
    {
        // A wildcard bind is reached through loopback.
        var host = _address.Equals(IPAddress.Any) ? "127.0.0.1"
            : _address.Equals(IPAddress.IPv6Any) ? "[::1]"
            : _address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{_address}]"
            : _address.ToString();
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{_port}/"));
    }

    private void OnBehaviorChanged(DistributorBehavior behavior)
    {
        var period = behavior.FlapPeriod.Ticks;
        if (Interlocked.Exchange(ref _lastFlapPeriodTicks, period) != period)
        {
            // A newly set flapping cycle starts with a healthy half, counted from now.
            Interlocked.Exchange(ref _flapEpochUtcTicks, Time.GetUtcNow().UtcTicks);
        }

        // Not inline: the change may come from a request of this very listener, which stopping would wait for.
        _ = Task.Run(async () =>
        {
            try
            {
                await ReconcileListenerAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
            {
                Log.ListenerChangeFailed(_logger, Id, ex);
            }
        });
    }

    private async Task ReconcileListenerAsync(CancellationToken ct)
    {
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var wantListening = !_disposed && Behavior.Down != DownMode.RefuseConnections;
            if (wantListening && _app is null)
            {
                await StartListenerAsync(ct).ConfigureAwait(false);
            }
            else if (!wantListening && _app is not null)
            {
                await StopListenerAsync().ConfigureAwait(false);
                if (!_disposed)
                {
                    Log.ListenerStopped(_logger, Id, _port);
                }
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task StartListenerAsync(CancellationToken ct)
    {
        // Coming back on the port it had: the port may linger briefly after the previous listener closed.
        for (var attempt = 1; ; attempt++)
        {
            var app = DistributorApi.Build(this, _address, _port);
            try
            {
                await app.StartAsync(ct).ConfigureAwait(false);
            }
            catch (IOException) when (attempt < 20 && _port != 0)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, ct).ConfigureAwait(false);
                continue;
            }
            catch
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            if (_port == 0)
            {
                var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
                _port = new Uri(address).Port;
            }

            _baseUrl ??= MakeBaseUrl();
            Volatile.Write(ref _app, app);
            Log.ListenerStarted(_logger, Id, _baseUrl);
            return;
        }
    }

    private async Task StopListenerAsync()
    {
        if (_app is not { } app)
        {
            return;
        }

        Volatile.Write(ref _app, null);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
