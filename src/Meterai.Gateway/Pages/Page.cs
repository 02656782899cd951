using Meterai.Gateway.Kernel;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Meterai.Gateway.Pages;

/// <summary>
/// The layout of every server-rendered page: a complete HTML document with the inline stylesheet,
/// the site header (who is signed in, and a sign-out button), the heading, and the content. It
/// also sets the page's response headers, so no page can forget them. Use it through
/// <see cref="PageComponent"/>, or as <c>&lt;Page Title="..."&gt;...&lt;/Page&gt;</c> from a .razor page.
/// </summary>
internal sealed class Page : ComponentBase
{
    [Parameter, EditorRequired]
    public string Title { get; set; } = "";

    [Parameter]
    public RenderFragment? ChildContent { get; set; }

    /// <summary>Language of the page. Default: "id" (Bahasa Indonesia first, English alongside).</summary>
    [Parameter]
    public string Lang { get; set; } = "id";

    /// <summary>Reloads the page every so many seconds, without JavaScript. Default: never.</summary>
    [Parameter]
    public int? RefreshSeconds { get; set; }

    /// <summary>The full width of the screen rather than a reading column: for wide tables on a desk.</summary>
    [Parameter]
    public bool Wide { get; set; }

    /// <summary>Cache-Control of the response. Default: "no-cache, no-store".</summary>
    [Parameter]
    public string CacheControl { get; set; } = PageHeaders.NoStore;

    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    protected override void OnInitialized()
    {
        // Static rendering runs before the response starts, so the page can still set its headers.
        if (HttpContext is { Response.HasStarted: false } context)
        {
            PageHeaders.Apply(context.Response, CacheControl);
        }
    }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.AddMarkupContent(0, "<!DOCTYPE html>");
        builder.OpenElement(1, "html");
        builder.AddAttribute(2, "lang", Lang);
        builder.AddMarkupContent(3, Head().Value);
        builder.OpenElement(4, "body");
        builder.AddMarkupContent(5, Header().Value);
        builder.OpenElement(6, "main");
        builder.AddAttribute(7, "class", Wide ? "wide" : null);
        builder.AddMarkupContent(8, Html.Of($"<h1>{Bilingual(Title)}</h1>").Value);
        builder.AddContent(9, ChildContent);
        builder.CloseElement();
        builder.CloseElement();
        builder.CloseElement();
    }

    private Html Head() => Html.Of($"""
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        {(RefreshSeconds is int refresh ? Html.Of($"""<meta http-equiv="refresh" content="{refresh}">""") : Html.Empty)}
        <title>{Title} · e-Meterai Gateway</title>
        <style>{Html.Trusted(PageStyles.Css)}</style>
        </head>
        """);

    /// <summary>
    /// "Indonesian / English", the convention of every title, with each half marked in its language
    /// so a screen reader speaks each one right; a title without " / " is left as it is.
    /// </summary>
    internal static Html Bilingual(string text)
    {
        var split = text.IndexOf(" / ", StringComparison.Ordinal);
        return split < 0
            ? Html.Text(text)
            : Html.Of($"""<span lang="id">{text[..split]}</span> / <span lang="en">{text[(split + 3)..]}</span>""");
    }

    private Html Header()
    {
        var user = HttpContext?.User;
        var role = user is null ? null : OversightPrincipal.RoleOf(user);
        if (role is null)
        {
            return Html.Of($"""<header class="site"><a class="brand" href="/status">e-Meterai Gateway</a></header>""");
        }

        var signOut = OversightPrincipal.IsSignedInWithCookie(user!)
            ? Html.Of($"""<form method="post" action="{OversightPaths.SignOut}">{Forms.AntiforgeryField(HttpContext)}<button type="submit" class="quiet"><span lang="id">Keluar</span> / <span lang="en">Sign out</span></button></form>""")
            : Html.Empty;

        // The role, never the key's configuration name: the session page and the logs say which key.
        return Html.Of($"""
            <header class="site"><a class="brand" href="/status">e-Meterai Gateway</a>
            <nav class="site"><a href="{OversightPaths.Home}">Distributor</a><a href="{OversightPaths.Home}/rules"><span lang="id">Aturan</span> / <span lang="en">Rules</span></a></nav>
            <span class="who"><a href="{OversightPaths.Session}">{OversightRoles.DisplayName(role)}</a> {signOut}</span></header>
            """);
    }
}
