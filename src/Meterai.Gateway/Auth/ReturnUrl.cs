using System.Text;
using Meterai.Gateway.Kernel;

namespace Meterai.Gateway.Auth;

/// <summary>
/// Where sign-in sends a person afterwards (gateway spec: only a path under /oversight on the same
/// site, after resolving dot segments). The address is decoded, its dot segments removed, and only
/// then checked, the way a browser will read it; the answer is percent-encoded, so <c>Location</c>
/// is always ASCII and means exactly the path that was checked.
/// </summary>
internal static class ReturnUrl
{
    /// <summary>Longer than any oversight page's address; longer is malformed.</summary>
    public const int MaxLength = 2048;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// False when <paramref name="returnUrl"/> is malformed (a bad percent-escape, invalid UTF-8, a
    /// control character, too long): a 400. Otherwise <paramref name="location"/> is where to go:
    /// the resolved path under /oversight, or /oversight itself for anything else (another site,
    /// <c>//host</c>, a backslash, a path that dot segments lead out of /oversight, the sign-in pages).
    /// </summary>
    public static bool TryResolve(string? returnUrl, out string location)
    {
        location = OversightPaths.Home;
        if (string.IsNullOrEmpty(returnUrl))
        {
            return true;
        }

        if (returnUrl.Length > MaxLength)
        {
            return false;
        }

        // The fragment never reaches the server and is dropped; the query is kept as it was sent.
        var url = returnUrl.Split('#', 2)[0];
        var parts = url.Split('?', 2);
        if (!TryDecode(parts[0], out var path) || !TryDecode(parts.Length > 1 ? parts[1] : "", out var query)
            || path.Any(char.IsControl) || query.Any(char.IsControl))
        {
            return false;
        }

        // Browsers read a backslash as a slash and "//" as another host: neither is a local path.
        if (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Contains('\\'))
        {
            return true;
        }

        path = RemoveDotSegments(path);
        if (!IsUnder(path, OversightPaths.Home) || IsUnder(path, OversightPaths.SignIn) || IsUnder(path, OversightPaths.SignOut))
        {
            return true;
        }

        location = Encode(Strict.GetBytes(path), keepEscapes: false) + (parts.Length > 1 ? "?" + Encode(Strict.GetBytes(parts[1]), keepEscapes: true) : "");
        return true;
    }

    /// <summary>RFC 3986 section 5.2.4 on a path that starts with '/'.</summary>
    internal static string RemoveDotSegments(string path)
    {
        var output = new List<string>();
        var segments = path.Split('/');
        for (var i = 1; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            switch (segments[i])
            {
                case ".":
                    break;
                case "..":
                    if (output.Count > 0)
                    {
                        output.RemoveAt(output.Count - 1);
                    }

                    break;
                default:
                    output.Add(segments[i]);
                    continue;
            }

            // "/a/." and "/a/b/.." name the directory: keep the trailing slash.
            if (last)
            {
                output.Add("");
            }
        }

        return "/" + string.Join('/', output);
    }

    private static bool IsUnder(string path, string prefix) =>
        path.Equals(prefix, StringComparison.OrdinalIgnoreCase)
        || (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && path[prefix.Length] == '/');

    /// <summary>Percent-decodes to UTF-8 text; false for a '%' without two hex digits, or bytes that are not UTF-8.</summary>
    private static bool TryDecode(string text, out string decoded)
    {
        decoded = "";
        byte[] raw;
        try
        {
            raw = Strict.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            return false; // a lone surrogate
        }

        // '%' is one byte in UTF-8 and never part of a longer sequence, so escapes are found in the bytes.
        var bytes = new byte[raw.Length];
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '%')
            {
                bytes[length++] = raw[i];
            }
            else if (i + 2 < raw.Length && Uri.IsHexDigit((char)raw[i + 1]) && Uri.IsHexDigit((char)raw[i + 2]))
            {
                bytes[length++] = (byte)((Uri.FromHex((char)raw[i + 1]) << 4) | Uri.FromHex((char)raw[i + 2]));
                i += 2;
            }
            else
            {
                return false;
            }
        }

        try
        {
            decoded = Strict.GetString(bytes, 0, length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>
    /// Percent-encodes every byte that may not stand as itself in a path or query (RFC 3986), '%'
    /// included unless <paramref name="keepEscapes"/> (a query keeps the escapes it was sent with,
    /// all checked well formed; a decoded path has none left to keep).
    /// </summary>
    private static string Encode(byte[] bytes, bool keepEscapes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b < 0x80 && (char.IsAsciiLetterOrDigit((char)b) || "-._~!$&'()*+,;=:@/".Contains((char)b) || (keepEscapes && (b == '%' || b == '?'))))
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
