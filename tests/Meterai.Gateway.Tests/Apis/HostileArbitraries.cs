using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Meterai.Gateway.Tests.Apis;

/// <summary>A JSON-looking text: sometimes valid, sometimes nearly, with the escapes and numbers that break parsers.</summary>
public sealed record RandomJson(string Text)
{
    public override string ToString() => Text;
}

/// <summary>Bytes sent as an application/json body: anything at all, including invalid UTF-8.</summary>
public sealed record RandomBytes(byte[] Bytes)
{
    public override string ToString() => Convert.ToHexString(Bytes);
}

/// <summary>FsCheck generators for the property tests of the purchase and report endpoints.</summary>
public static class HostileArbitraries
{
    private static readonly string[] Names = ["quantity", "applicantRef", "from", "to", "quantity", "applicantRef", "", "x", "QUANTITY", "applicant\\u0052ef"];

    private static readonly string[] Literals =
    [
        "null", "true", "false", "0", "1", "10", "11", "-1", "-0", "1.0", "1e0", "1e400", "-1e-400", "2147483648", "9223372036854775808",
        "\"\"", "\" \"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"\\t\"", "\"\\u202e\"", "\"NIK-3171\"", "\"2024-09-01T00:00:00Z\"",
        "\"2024-09-02\"", "\"01/02/2024\"", "\"2999-01-01T00:00:00Z\"", "\"2024-13-45T99:99:99Z\"", "\"\\uD83D\\uDE00\"", "\"é\"",
    ];

    private static readonly string[] Breakers = ["", ",", "}", "]", "{", "\"", "\\", "/*", "NaN", "\u0000", "\ud800", "'"];

    public static Arbitrary<RandomJson> Json() => Arb.From(Gen.Sized(size => Value(Math.Min(size, 12))).SelectMany(
        text => Gen.Elements(Breakers).SelectMany(breaker => Gen.Choose(0, 9).Select(damage => new RandomJson(Damage(text, breaker, damage))))));

    public static Arbitrary<RandomBytes> Bytes() => Arb.From(
        Gen.Choose(0, 300).SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)).Select(b => new RandomBytes(b)));

    private static Gen<string> Value(int size) =>
        size <= 1
            ? Scalar()
            : Gen.Frequency(
                (3, Scalar()),
                (4, Gen.ListOf(Gen.Zip(Gen.OneOf(Gen.Elements(Names), Text()), Value(size / 2)), Math.Min(size, 4))
                    .Select(members => "{" + string.Join(",", members.Select(m => Quote(m.Item1) + ":" + m.Item2)) + "}")),
                (1, Gen.ListOf(Value(size / 2), Math.Min(size, 4)).Select(items => "[" + string.Join(",", items) + "]")));

    private static Gen<string> Scalar() =>
        Gen.OneOf(
            Gen.Elements(Literals),
            Gen.Choose(-20, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)),
            Text().Select(Quote));

    /// <summary>Any UTF-16 code units, lone surrogates and controls included.</summary>
    private static Gen<string> Text() =>
        Gen.Choose(0, 70).SelectMany(length => Gen.ArrayOf(Gen.Frequency((4, Gen.Choose(0x20, 0x7E)), (1, Gen.Choose(0, 0xFFFF))).Select(c => (char)c), length))
            .Select(chars => new string(chars));

    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c is '"' or '\\' || c < 0x20 || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c);
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>Most texts stay as generated; some get a breaker inserted or are cut short.</summary>
    private static string Damage(string text, string breaker, int damage) => damage switch
    {
        0 when text.Length > 1 => text[..(text.Length / 2)],
        1 => text.Insert(text.Length / 3, breaker),
        _ => text,
    };
}
