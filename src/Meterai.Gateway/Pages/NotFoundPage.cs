using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Components;

namespace Meterai.Gateway.Pages;

/// <summary>A page's 404: what was not found, in both languages, and where to go instead.</summary>
internal sealed class NotFoundPage : PageComponent
{
    /// <summary>What was looked for, in Indonesian.</summary>
    [Parameter, EditorRequired]
    public string WhatId { get; set; } = "";

    /// <summary>What was looked for, in English.</summary>
    [Parameter, EditorRequired]
    public string WhatEn { get; set; } = "";

    [Parameter, EditorRequired]
    public string BackHref { get; set; } = "/";

    [Parameter]
    public string BackText { get; set; } = "Kembali / Back";

    protected override string Title => "Tidak ditemukan / Not found";

    protected override Html Content() => Html.Of($"""
        <p class="notice" role="alert">{WhatId} <span class="en" lang="en">{WhatEn}</span></p>
        <p><a href="{BackHref}">{Page.Bilingual(BackText)}</a></p>
        """);

    /// <summary>The page with status 404.</summary>
    public static RazorComponentResult<NotFoundPage> Result(string whatId, string whatEn, string backHref, string backText) =>
        new(new Dictionary<string, object?>
        {
            [nameof(WhatId)] = whatId,
            [nameof(WhatEn)] = whatEn,
            [nameof(BackHref)] = backHref,
            [nameof(BackText)] = backText,
        })
        { StatusCode = StatusCodes.Status404NotFound };
}
