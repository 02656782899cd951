using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Meterai.Gateway.Kernel;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Auth;

/// <summary>
/// Which configured key a caller presented: named by its configuration index, and identified across
/// reloads and gateways by <paramref name="KeyId"/>, a hash of the key's digest (never the key, nor
/// the digest a <c>sha256:</c> entry configures).
/// </summary>
internal sealed record ApiKeyIdentity(string Role, string KeyName, string KeyId)
{
    /// <summary>The claims of this key's holder (<see cref="OversightPrincipal"/> reads them).</summary>
    public ClaimsPrincipal ToPrincipal(string authenticationType) =>
        new(new ClaimsIdentity(
            [
                // The configuration index ("OperatorKeys:0") tells an audit trail which key acted without revealing it.
                new Claim(ClaimTypes.NameIdentifier, KeyName),
                new Claim(ClaimTypes.Name, KeyName),
                new Claim(ClaimTypes.Role, Role),
                new Claim(OversightPrincipal.KeyIdClaim, KeyId),
            ],
            authenticationType,
            ClaimTypes.Name,
            ClaimTypes.Role));
}

/// <summary>
/// The configured keys as SHA-256 digests. A presented key is hashed and compared with every digest
/// in constant time: hashing first makes the comparison independent of the key's length and
/// content, and comparing all (no early exit) keeps which entry matched out of the timing.
/// Follows the configuration as it reloads, so a key removed or moved to another role stops
/// working at the next request (and ends its sessions: <see cref="OversightSessions"/>).
/// </summary>
internal sealed partial class ApiKeyStore(IOptionsMonitor<AuthOptions> options, ILogger<ApiKeyStore> logger)
{
    private static readonly byte[] KeyIdContext = Encoding.ASCII.GetBytes("meterai-gateway oversight key id\0");

    private Snapshot _current = Snapshot.Empty;
    private int _invalidLogged;

    public int RegulatorKeyCount => Current.RegulatorKeyCount;

    public int OperatorKeyCount => Current.OperatorKeyCount;

    /// <summary>The key's identity, or null for an unknown key. A key listed under both roles is an operator.</summary>
    public ApiKeyIdentity? Find(string presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(presented, digest);

        StoredKey? match = null;
        foreach (var key in Current.Keys)
        {
            // Bitwise &, not &&: the comparison runs for every entry whatever came before.
            if (CryptographicOperations.FixedTimeEquals(digest, key.Digest) & (match is null || key.Role == OversightRoles.Operator))
            {
                match = key;
            }
        }

        return match?.Identity;
    }

    /// <summary>The identity the key with this <see cref="ApiKeyIdentity.KeyId"/> has in the configuration now, or null when it is gone.</summary>
    public ApiKeyIdentity? FindById(string keyId)
    {
        StoredKey? match = null;
        foreach (var key in Current.Keys)
        {
            if (string.Equals(key.Identity.KeyId, keyId, StringComparison.Ordinal) && (match is null || key.Role == OversightRoles.Operator))
            {
                match = key;
            }
        }

        return match?.Identity;
    }

    /// <summary>True for a <c>sha256:</c> entry, which is exempt from the minimum length.</summary>
    public static bool IsDigestEntry(string configured) => configured.StartsWith(AuthOptions.Sha256Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses one configured entry: a key, or <c>sha256:</c> and 64 hex digits. False for an empty or malformed entry.</summary>
    public static bool TryParseEntry(string? configured, Span<byte> digest)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return false;
        }

        if (!IsDigestEntry(configured))
        {
            Hash(configured, digest);
            return true;
        }

        var hex = configured.AsSpan(AuthOptions.Sha256Prefix.Length).Trim();
        return hex.Length == SHA256.HashSizeInBytes * 2
            && Convert.FromHexString(hex, digest, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == SHA256.HashSizeInBytes;
    }

    /// <summary>The keys of the configuration as it is now, rebuilt when it reloads.</summary>
    private Snapshot Current
    {
        get
        {
            AuthOptions value;
            try
            {
                value = options.CurrentValue;
            }
            catch (OptionsValidationException ex)
            {
                // A reload with a bad entry: refuse every key (fail closed) until it is fixed.
                if (Interlocked.Exchange(ref _invalidLogged, 1) == 0)
                {
                    LogInvalidReload(logger, string.Join(" ", ex.Failures));
                }

                return Snapshot.Empty;
            }

            var current = Volatile.Read(ref _current);
            if (ReferenceEquals(current.Source, value))
            {
                return current;
            }

            var next = Snapshot.Of(value);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, next, current), current) && current.Source is not null)
            {
                Interlocked.Exchange(ref _invalidLogged, 0);
                LogReloaded(logger, next.RegulatorKeyCount, next.OperatorKeyCount);
            }

            return next;
        }
    }

    private static void Hash(string key, Span<byte> digest)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        try
        {
            SHA256.HashData(bytes, digest);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Oversight keys reloaded: {RegulatorKeys} regulator keys, {OperatorKeys} operator keys; sessions of removed or moved keys end at their next request")]
    private static partial void LogReloaded(ILogger logger, int regulatorKeys, int operatorKeys);

    [LoggerMessage(Level = LogLevel.Error, Message = "The reloaded Auth configuration is invalid, so every oversight key is refused until it is fixed: {Failures}")]
    private static partial void LogInvalidReload(ILogger logger, string failures);

    private sealed record StoredKey(byte[] Digest, string Role, ApiKeyIdentity Identity);

    private sealed record Snapshot(AuthOptions? Source, StoredKey[] Keys, int RegulatorKeyCount, int OperatorKeyCount)
    {
        public static readonly Snapshot Empty = new(null, [], 0, 0);

        public static Snapshot Of(AuthOptions value) => new(
            value,
            [
                .. value.RegulatorKeys.Select((key, i) => Store(key, OversightRoles.Regulator, $"{nameof(AuthOptions.RegulatorKeys)}:{i}")),
                .. value.OperatorKeys.Select((key, i) => Store(key, OversightRoles.Operator, $"{nameof(AuthOptions.OperatorKeys)}:{i}")),
            ],
            value.RegulatorKeys.Length,
            value.OperatorKeys.Length);

        private static StoredKey Store(string configured, string role, string name)
        {
            // Validated (AuthOptionsValidator) before the monitor hands the value out, so every entry parses here.
            var digest = new byte[SHA256.HashSizeInBytes];
            if (!TryParseEntry(configured, digest))
            {
                throw new InvalidOperationException($"Auth:{name} is not a valid key.");
            }

            var id = Convert.ToHexStringLower(SHA256.HashData([.. KeyIdContext, .. digest]));
            return new StoredKey(digest, role, new ApiKeyIdentity(role, name, id));
        }
    }
}
