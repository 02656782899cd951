using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Auth;

/// <summary>
/// Fails start-up on a key entry that cannot be used. Messages name the entry by its index and
/// never quote it: a malformed entry may still be a real key, and start-up errors end up in logs.
/// </summary>
internal sealed class AuthOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        Check(nameof(AuthOptions.RegulatorKeys), options.RegulatorKeys, failures);
        Check(nameof(AuthOptions.OperatorKeys), options.OperatorKeys, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void Check(string list, string[] keys, List<string> failures)
    {
        // `Auth__OperatorKeys=abc` binds to nothing, silently leaving no operator: say so instead.
        if (configuration.GetSection($"{AuthOptions.Section}:{list}").Value is { Length: > 0 })
        {
            failures.Add($"{AuthOptions.Section}:{list} must be an array (set {AuthOptions.Section}:{list}:0, :1, ...), not a single value.");
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        for (var i = 0; i < keys.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(keys[i]))
            {
                failures.Add($"{AuthOptions.Section}:{list}:{i} is empty.");
            }
            else if (!ApiKeyStore.TryParseEntry(keys[i], digest))
            {
                failures.Add($"{AuthOptions.Section}:{list}:{i} starts with '{AuthOptions.Sha256Prefix}' but is not followed by exactly 64 hexadecimal digits (the SHA-256 of the key).");
            }
            else if (!ApiKeyStore.IsDigestEntry(keys[i]) && keys[i].Length < AuthOptions.MinimumKeyLength)
            {
                // A short key is guessed long before the throttle matters; the length only, never the key.
                failures.Add($"{AuthOptions.Section}:{list}:{i} must be at least {AuthOptions.MinimumKeyLength} characters long; generate one with: openssl rand -base64 24");
            }
        }

        CryptographicOperations.ZeroMemory(digest);
    }
}
