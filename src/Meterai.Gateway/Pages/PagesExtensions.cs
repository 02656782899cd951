namespace Meterai.Gateway.Pages;

internal static class PagesExtensions
{
    /// <summary>
    /// Razor components rendered on the server as static HTML (no JavaScript, no interactivity,
    /// no external assets), returned from minimal API handlers as <c>RazorComponentResult&lt;TPage&gt;</c>.
    /// Safe to call from every feature that renders pages.
    /// </summary>
    public static WebApplicationBuilder AddGatewayPages(this WebApplicationBuilder builder)
    {
        if (!builder.Services.Any(d => d.ServiceType == typeof(PagesMarker)))
        {
            builder.Services.AddSingleton<PagesMarker>();
            builder.Services.AddRazorComponents();
        }

        return builder;
    }

    private sealed class PagesMarker;
}
