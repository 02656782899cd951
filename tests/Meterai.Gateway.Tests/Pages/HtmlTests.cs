using Meterai.Gateway.Pages;

namespace Meterai.Gateway.Tests.Pages;

/// <summary>The pages' HTML templates: data is always encoded, markup only when it is built as markup.</summary>
public sealed class HtmlTests
{
    [Fact]
    public void Of_TextInHoles_IsEncoded()
    {
        var name = "<script>alert('x')</script> & \"PT Jaya\"";

        var html = Html.Of($"<td>{name}</td><td class=\"num\">{1234.5:N1}</td>");

        Assert.Equal("<td>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;PT Jaya&quot;</td><td class=\"num\">1,234.5</td>", html.Value);
    }

    [Fact]
    public void Of_HtmlInHoles_IsKeptAsMarkup()
    {
        List<Html> rows = [Html.Of($"<tr><td>{"a<b"}</td></tr>"), Html.Of($"<tr><td>{2}</td></tr>")];
        IEnumerable<Html> more = rows.Select(r => r);

        var table = Html.Of($"<table>{rows}{more}{Html.When(false, Html.Of($"<x>"))}</table>");

        Assert.Equal("<table><tr><td>a&lt;b</td></tr><tr><td>2</td></tr><tr><td>a&lt;b</td></tr><tr><td>2</td></tr></table>", table.Value);
    }
}
