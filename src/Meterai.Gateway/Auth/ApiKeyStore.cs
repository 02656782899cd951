using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Auth;

/// <summary>Which configured key a caller presented, named by its configuration index, never by its value.</summary>
internal sealed record ApiKeyIdentity(string Role, string KeyName);

/// <summary>
/// The configured keys as SHA-256 digests. A presented key is hashed and compared with every digest
/// in constant time: hashing first makes the comparison independent of the key's length and
/// content, and comparing all (no early exit) keeps which entry matched out of the timing.
/// </summary>
internal sealed class ApiKeyStore
{
    private readonly StoredKey[] _keys;

    public ApiKeyStore(IOptions<AuthOptions> options)
    {
        // Validated on start (AuthOptionsValidator), so every entry parses here.
        var value = options.Value;
        _keys =
        [
            .. value.RegulatorKeys.Select((key, i) => Store(key, OversightRoles.Regulator, $"{nameof(AuthOptions.RegulatorKeys)}:{i}")),
            .. value.OperatorKeys.Select((key, i) => Store(key, OversightRoles.Operator, $"{nameof(AuthOptions.OperatorKeys)}:{i}")),
        ];
        RegulatorKeyCount = value.RegulatorKeys.Length;
        OperatorKeyCount = value.OperatorKeys.Length;
    }

    public int RegulatorKeyCount { get; }

    public int OperatorKeyCount { get; }

    /// <summary>The key's identity, or null for an unknown key. A key listed under both roles is an operator.</summary>
    public ApiKeyIdentity? Find(string presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(presented, digest);

        StoredKey? match = null;
        foreach (var key in _keys)
        {
            // Bitwise &, not &&: the comparison runs for every entry whatever came before.
            if (CryptographicOperations.FixedTimeEquals(digest, key.Digest) & (match is null || key.Role == OversightRoles.Operator))
            {
                match = key;
            }
        }

        return match is null ? null : new ApiKeyIdentity(match.Role, match.Name);
    }

    /// <summary>Parses one configured entry: a key, or <c>sha256:</c> and 64 hex digits. False for an empty or malformed entry.</summary>
    public static bool TryParseEntry(string? configured, Span<byte> digest)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return false;
        }

        if (!configured.StartsWith(AuthOptions.Sha256Prefix, StringComparison.OrdinalIgnoreCase))
        {
            Hash(configured, digest);
            return true;
        }

        var hex = configured.AsSpan(AuthOptions.Sha256Prefix.Length).Trim();
        return hex.Length == SHA256.HashSizeInBytes * 2
            && Convert.FromHexString(hex, digest, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == SHA256.HashSizeInBytes;
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

    private static StoredKey Store(string configured, string role, string name)
    {
        var digest = new byte[SHA256.HashSizeInBytes];
        if (!TryParseEntry(configured, digest))
        {
            throw new InvalidOperationException($"Auth:{name} is not a valid key.");
        }

        return new StoredKey(digest, role, name);
    }

    private sealed record StoredKey(byte[] Digest, string Role, string Name);
}
