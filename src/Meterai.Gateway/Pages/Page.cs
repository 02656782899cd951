using Meterai.Gateway.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Meterai.Gateway.Pages;

/// <summary>
/// The layout of every server-rendered page: a complete HTML document with the inline stylesheet,
/// the site header (who is signed in, and a sign-out button), the heading, and the content. It
/// also sets the page's response headers, so no page can forget them. Use it through
/// <see cref="PageComponent"/>, or as <c>&lt;Page Title="..."&gt;...&lt;/Page&gt;</c> from a .razor page.
/// </summary>
public sealed class Page : ComponentBase
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
        builder.AddMarkupContent(7, Html.Of($"<h1>{Title}</h1>").Value);
        builder.AddContent(8, ChildContent);
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

    private Html Header()
    {
        var user = HttpContext?.User;
        var session = user is not null && OversightPrincipal.IsSignedInWithCookie(user)
            ? Html.Of($"""
                <span class="who">{OversightPrincipal.RoleOf(user)} · {user.Identity?.Name}
                <form method="post" action="{OversightPaths.SignOut}">{Forms.AntiforgeryField(HttpContext)}<button type="submit" class="quiet">Keluar / Sign out</button></form></span>
                """)
            : Html.Empty;
        return Html.Of($"""<header class="site"><a class="brand" href="/status">e-Meterai Gateway</a>{session}</header>""");
    }
}
