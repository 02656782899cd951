using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Components;

namespace Meterai.Gateway.Status;

/// <summary>
/// GET /status: the same as /api/status for a person on a phone, in Bahasa Indonesia with English
/// beside it. One big answer first, then the numbers behind it.
/// </summary>
internal sealed class StatusPage : PageComponent
{
    private static readonly string[] MonthsId = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];

    /// <summary>Western Indonesia Time, where most applicants are; the page also states UTC.</summary>
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);

    [Parameter, EditorRequired]
    public StatusView Status { get; set; } = null!;

    /// <summary>The time of rendering, for "so many seconds ago".</summary>
    [Parameter]
    public DateTimeOffset Now { get; set; }

    protected override string Title => "Status pembelian / Purchase status";

    // During a rush people keep the page open: it refreshes itself, and a cache may hold it a few seconds.
    protected override int? RefreshSeconds => 30;

    protected override string CacheControl => "public, max-age=5";

    protected override Html Content() => Html.Of($"""
        {Answer()}
        <dl class="figures">
        <div><dt>Distributor yang menjual sekarang<span class="en">Distributors selling now</span></dt>
        <dd>{Status.SellingDistributors}<small>dari {Status.RegisteredDistributors} terdaftar / of {Status.RegisteredDistributors} registered</small></dd></div>
        <div><dt>Perkiraan waktu tunggu<span class="en">Estimated wait</span></dt>
        <dd>{Wait()}</dd></div>
        <div><dt>Terakhir diperbarui<span class="en">Last updated</span></dt>
        <dd>{Updated()}</dd></div>
        </dl>
        <p class="muted">Halaman ini memperbarui diri setiap 30 detik. <span class="en">This page refreshes itself every 30 seconds.</span></p>
        """);

    private Html Answer() => Status.CanBuy
        ? Html.Of($"""
            <p class="answer yes" role="status"><span class="big">YA · YES</span>
            <span class="id">Anda bisa membeli <span class="nowrap">e-Meterai</span> sekarang.</span>
            <span class="en">You can buy <span class="nowrap">e-Meterai</span> now.</span></p>
            """)
        : Html.Of($"""
            <p class="answer no" role="status"><span class="big">TIDAK · NO</span>
            <span class="id">Anda belum bisa membeli <span class="nowrap">e-Meterai</span> sekarang. Coba lagi beberapa menit lagi.</span>
            <span class="en">You cannot buy <span class="nowrap">e-Meterai</span> right now. Try again in a few minutes.</span></p>
            """);

    private Html Wait()
    {
        var seconds = Status.EstimatedWaitSeconds;
        return seconds switch
        {
            0 => Html.Of($"Tanpa antre<small>No wait</small>"),
            < 120 => Html.Of($"± {seconds} detik<small>about {seconds} seconds</small>"),
            _ => Html.Of($"± {(seconds + 59) / 60} menit<small>about {(seconds + 59) / 60} minutes</small>"),
        };
    }

    private Html Updated()
    {
        if (Status.UpdatedAt is not { } updated)
        {
            return Html.Of($"Belum diperiksa<small>Not checked yet</small>");
        }

        var wib = updated.ToOffset(Wib);
        var ago = Math.Max(0, (int)(Now - updated).TotalSeconds);
        var agoText = ago < 120
            ? Html.Of($"{ago} detik lalu / {ago} seconds ago")
            : Html.Of($"{ago / 60} menit lalu / {ago / 60} minutes ago");
        return Html.Of($"""
            <time datetime="{updated.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}">{wib:HH:mm:ss} WIB</time>
            <small>{wib.Day} {MonthsId[wib.Month - 1]} {wib.Year} · {agoText}</small>
            """);
    }
}
