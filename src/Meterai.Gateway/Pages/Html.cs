using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Meterai.Gateway.Pages;

/// <summary>
/// A piece of HTML that is safe to emit as it is. Write one with <see cref="Of"/>: every value
/// interpolated into the template is HTML-encoded, unless it is itself an <see cref="Html"/>, so
/// text from a distributor, a registry or a request can never become markup.
/// </summary>
/// <example><code>Html.Of($"&lt;td class=\"num\"&gt;{distributor.Stock}&lt;/td&gt;&lt;td&gt;{distributor.Name}&lt;/td&gt;")</code></example>
internal readonly struct Html : IEquatable<Html>
{
    private readonly string? _value;

    private Html(string value) => _value = value;

    public static Html Empty => default;

    public string Value => _value ?? "";

    /// <summary>The template as HTML: its literal parts as written, each hole encoded (numbers and dates in the invariant culture).</summary>
    public static Html Of([InterpolatedStringHandlerArgument] ref HtmlInterpolatedStringHandler template) => new(template.ToStringAndClear());

    /// <summary>Plain text, encoded.</summary>
    public static Html Text(string? text) => new(HtmlEncoder.Default.Encode(text ?? ""));

    /// <summary>Markup the caller vouches for (a constant, or HTML built by this type). Never pass data through this.</summary>
    public static Html Trusted(string markup) => new(markup);

    /// <summary>The pieces one after another: rows of a table, say.</summary>
    public static Html Join(IEnumerable<Html> pieces) => new(string.Concat(pieces.Select(p => p.Value)));

    /// <summary>The piece when the condition holds, otherwise nothing.</summary>
    public static Html When(bool condition, Html piece) => condition ? piece : Empty;

    public override string ToString() => Value;

    public bool Equals(Html other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Html other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public static bool operator ==(Html left, Html right) => left.Equals(right);

    public static bool operator !=(Html left, Html right) => !left.Equals(right);
}

/// <summary>Builds <see cref="Html"/> from an interpolated string, encoding every hole.</summary>
[InterpolatedStringHandler]
internal ref struct HtmlInterpolatedStringHandler
{
    private readonly StringBuilder _builder;

    public HtmlInterpolatedStringHandler(int literalLength, int formattedCount) =>
        _builder = new StringBuilder(literalLength + (formattedCount * 16));

    public readonly void AppendLiteral(string literal) => _builder.Append(literal);

    public readonly void AppendFormatted(Html value) => _builder.Append(value.Value);

    public readonly void AppendFormatted(IEnumerable<Html> values)
    {
        foreach (var value in values)
        {
            _builder.Append(value.Value);
        }
    }

    public readonly void AppendFormatted(string? value) => _builder.Append(HtmlEncoder.Default.Encode(value ?? ""));

    public readonly void AppendFormatted<T>(T value, string? format = null)
    {
        // A List<Html> or an Html[] binds here rather than to the IEnumerable<Html> overload: still markup.
        switch (value)
        {
            case Html html:
                AppendFormatted(html);
                break;
            case IEnumerable<Html> many:
                AppendFormatted(many);
                break;
            case IFormattable formattable:
                AppendFormatted(formattable.ToString(format, CultureInfo.InvariantCulture));
                break;
            default:
                AppendFormatted(value?.ToString());
                break;
        }
    }

    internal readonly string ToStringAndClear()
    {
        var value = _builder.ToString();
        _builder.Clear();
        return value;
    }
}
