using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Meterai.Gateway.Pages;

/// <summary>
/// A server-rendered page: give it a <see cref="Title"/> and its <see cref="Content"/>, and it
/// renders inside the <see cref="Page"/> layout. Return it from a minimal API handler with
/// <c>new RazorComponentResult&lt;MyPage&gt;(new { Model = model })</c>; its public
/// <c>[Parameter]</c> properties receive the values.
/// </summary>
/// <remarks>
/// Pages are C# components rather than .razor files: a .razor file makes the Web SDK reference
/// Microsoft.AspNetCore.App.Internal.Assets (blazor.web.js), which our package mirror lacks.
/// <see cref="Page"/> is an ordinary component, so .razor pages can use it unchanged once the
/// project sets <c>RequiresAspNetWebAssets=false</c>.
/// </remarks>
internal abstract class PageComponent : ComponentBase
{
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    /// <summary>The heading and window title.</summary>
    protected abstract string Title { get; }

    /// <summary>Reloads the page every so many seconds, without JavaScript. Default: never.</summary>
    protected virtual int? RefreshSeconds => null;

    /// <summary>Cache-Control. Default: "no-cache, no-store", since oversight pages show non-public data and carry forms.</summary>
    protected virtual string CacheControl => PageHeaders.NoStore;

    /// <summary>The document's language (the &lt;html lang&gt;); parts in the other language mark their own. Default: "id".</summary>
    protected virtual string Lang => "id";

    /// <summary>Full screen width rather than a reading column (wide tables). Default: false.</summary>
    protected virtual bool Wide => false;

    /// <summary>What goes in the page's &lt;main&gt;, under the heading.</summary>
    protected abstract Html Content();

    /// <summary>The hidden antiforgery field that every POST form on a page must contain (see <c>RequireAntiforgeryForm</c>).</summary>
    protected Html AntiforgeryField() => Forms.AntiforgeryField(HttpContext);

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenComponent<Page>(0);
        builder.AddComponentParameter(1, nameof(Page.Title), Title);
        builder.AddComponentParameter(2, nameof(Page.RefreshSeconds), RefreshSeconds);
        builder.AddComponentParameter(3, nameof(Page.CacheControl), CacheControl);
        builder.AddComponentParameter(4, nameof(Page.ChildContent), (RenderFragment)(content => content.AddMarkupContent(0, Content().Value)));
        builder.AddComponentParameter(5, nameof(Page.Lang), Lang);
        builder.AddComponentParameter(6, nameof(Page.Wide), Wide);
        builder.CloseComponent();
    }
}

/// <summary>Form helpers for pages.</summary>
internal static class Forms
{
    /// <summary>
    /// The antiforgery token as a hidden input, bound to the current user. Empty without a request
    /// (never the case when rendered from an endpoint).
    /// </summary>
    public static Html AntiforgeryField(HttpContext? context)
    {
        if (context is null)
        {
            return Html.Empty;
        }

        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        var tokens = context.Response.HasStarted ? antiforgery.GetTokens(context) : antiforgery.GetAndStoreTokens(context);
        return Html.Of($"""<input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">""");
    }
}
