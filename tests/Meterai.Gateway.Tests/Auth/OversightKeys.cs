using System.Security.Cryptography;
using System.Text;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>The keys the auth tests configure: plain and sha256-hashed, for each role.</summary>
internal static class OversightKeys
{
    public const string Regulator = "reg-PLAIN-7c1f0e9a2b3d4c5e6f708192";
    public const string RegulatorHashed = "reg-HASHED-0a1b2c3d4e5f60718293a4b5";
    public const string Operator = "op-PLAIN-93f8e7d6c5b4a3928170f6e5";
    public const string OperatorHashed = "op-HASHED-5e4d3c2b1a09f8e7d6c5b4a3";
    public const string Unknown = "unknown-KEY-1111222233334444555566";

    public static readonly string[] All = [Regulator, RegulatorHashed, Operator, OperatorHashed, Unknown];

    public static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Configuration with one plain and one hashed key per role (the hashed operator key in upper case hex).</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Auth:RegulatorKeys:0"] = Regulator,
        ["Auth:RegulatorKeys:1"] = "sha256:" + Sha256Hex(RegulatorHashed),
        ["Auth:OperatorKeys:0"] = Operator,
        ["Auth:OperatorKeys:1"] = "SHA256:" + Sha256Hex(OperatorHashed).ToUpperInvariant(),
    };

    /// <summary>Everything secret about the keys: the keys and their digests, for searching logs and bodies.</summary>
    public static IEnumerable<string> Secrets() => All.SelectMany(k => new[] { k, Sha256Hex(k), Sha256Hex(k).ToUpperInvariant() });
}
