using System.Globalization;
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
        {Line()}
        <dl class="figures">
        <div><dt>Distributor yang menjual sekarang<span class="en" lang="en">Distributors selling now</span></dt>
        <dd>{Status.SellingDistributors}<small>dari {Status.RegisteredDistributors} terdaftar / <span lang="en">of {Status.RegisteredDistributors} registered</span></small></dd></div>
        <div><dt>Perkiraan waktu tunggu<span class="en" lang="en">Estimated wait</span></dt>
        <dd>{Wait()}</dd></div>
        <div><dt>Terakhir diperbarui<span class="en" lang="en">Last updated</span></dt>
        <dd>{Updated()}</dd></div>
        </dl>
        <p class="muted">Halaman ini diperbarui otomatis setiap 30 detik. <span class="en" lang="en">This page updates itself every 30 seconds.</span></p>
        {HowTo()}
        """);

    /// <summary>Where to buy and how to follow a purchase: the two calls of the gateway spec an applicant's app makes.</summary>
    private static Html HowTo() => Html.Trusted("""
        <section class="howto" id="how-to-buy">
        <h2>Cara membeli<span class="en" lang="en">How to buy</span></h2>
        <ol>
        <li>Kirim <code class="call">POST /api/purchases</code> dengan header <code class="call">Idempotency-Key</code> (kode unik Anda, 8–128 karakter) dan isi <code class="call">{"quantity": 1, "applicantRef": "…"}</code>
        <span class="en" lang="en">Send <code class="call">POST /api/purchases</code> with an <code class="call">Idempotency-Key</code> header (your own unique code, 8–128 characters) and the body <code class="call">{"quantity": 1, "applicantRef": "…"}</code></span></li>
        <li>Jawaban <strong>201</strong>: e-Meterai sudah terbit, nomor serinya ada di jawaban. <strong>202</strong>: pembayaran diterima, e-Meterai sedang dikirim; simpan <code class="call">purchaseId</code>.
        <span class="en" lang="en"><strong>201</strong>: issued, the serial numbers are in the answer. <strong>202</strong>: paid and on its way; keep the <code class="call">purchaseId</code>.</span></li>
        <li>Jawaban <strong>503</strong>: belum ada yang bisa menjual, dan tidak ada yang ditagih. Coba lagi dengan <code class="call">Idempotency-Key</code> yang sama setelah detik yang disebut <code class="call">Retry-After</code>: tempat antrean Anda tetap. Jawaban itu menyebut nomor antrean Anda (<code class="call">position</code>) dan perkiraan waktu tunggunya (<code class="call">estimatedWaitSeconds</code>).
        <span class="en" lang="en"><strong>503</strong>: nobody can sell yet, and nothing was charged. Try again with the same <code class="call">Idempotency-Key</code> after the seconds in <code class="call">Retry-After</code>: you keep your place in line. The answer gives your place (<code class="call">position</code>) and the estimated wait (<code class="call">estimatedWaitSeconds</code>).</span></li>
        </ol>
        </section>
        <section class="howto" id="how-to-check">
        <h2>Cara memeriksa pembelian<span class="en" lang="en">How to check a purchase</span></h2>
        <p>Kirim <code class="call">GET /api/purchases/{purchaseId}</code> dengan <code class="call">purchaseId</code> dari jawaban pembelian. Statusnya:
        <span class="en" lang="en">Send <code class="call">GET /api/purchases/{purchaseId}</code> with the <code class="call">purchaseId</code> from the purchase's answer. Its status:</span></p>
        <dl class="statuses">
        <dt>issued</dt><dd>terbit <span class="en" lang="en">issued</span></dd>
        <dt>pending</dt><dd>dibayar, sedang dikirim <span class="en" lang="en">paid, on its way</span></dd>
        <dt>refund_due</dt><dd>tidak terkirim; uang Anda sedang dikembalikan <span class="en" lang="en">not delivered; your money is being returned</span></dd>
        <dt>refunded</dt><dd>uang Anda sudah kembali <span class="en" lang="en">your money is back</span></dd>
        <dt>failed</dt><dd>gagal, tanpa tagihan <span class="en" lang="en">failed, nothing was charged</span></dd>
        </dl>
        </section>
        """);

    private Html Answer() => Status.CanBuy
        ? Html.Of($"""
            <p class="answer yes" role="status"><span class="big">YA · <span lang="en">YES</span></span>
            <span class="id">Anda bisa membeli <span class="nowrap">e-Meterai</span> sekarang.</span>
            <span class="en" lang="en">You can buy <span class="nowrap">e-Meterai</span> now.</span></p>
            """)
        : Html.Of($"""
            <p class="answer no" role="status"><span class="big">TIDAK · <span lang="en">NO</span></span>
            <span class="id">Anda belum bisa membeli <span class="nowrap">e-Meterai</span> sekarang. Coba lagi beberapa menit lagi.</span>
            <span class="en" lang="en">You cannot buy <span class="nowrap">e-Meterai</span> right now. Try again in a few minutes.</span></p>
            """);

    /// <summary>
    /// In a rush, what the wait means for an applicant (spec: "Order of service in a rush"): their place
    /// is their Idempotency-Key, so retrying with a new one, or sooner, only loses time.
    /// </summary>
    private Html Line()
    {
        if (Status.EstimatedWaitSeconds <= 0)
        {
            return Html.Empty;
        }

        var (id, en) = WaitWords(Status.EstimatedWaitSeconds);
        return Html.Of($"""
            <p class="notice queue" id="queue"><strong>Ada antrean: sekitar {id}.</strong>
            Saat mencoba lagi, gunakan <code class="call nowrap">Idempotency-Key</code> yang sama agar tempat Anda tidak hilang. Anda dilayani sesuai urutan kedatangan pertama; mencoba lebih cepat tidak memajukan giliran Anda.
            <span class="en" lang="en"><strong>Queue: about {en}.</strong> Retry with the same <code class="call nowrap">Idempotency-Key</code> to keep your place. You are served in order of first arrival; retrying sooner does not move you up.</span></p>
            """);
    }

    private Html Wait()
    {
        if (Status.EstimatedWaitSeconds <= 0)
        {
            return Html.Of($"Tidak perlu antre<small lang=\"en\">No wait</small>");
        }

        var (id, en) = WaitWords(Status.EstimatedWaitSeconds);
        return Html.Of($"± {id}<small lang=\"en\">about {en}</small>");
    }

    /// <summary>
    /// A wait in the unit a person thinks in: seconds under a minute, whole minutes (rounded up, so the
    /// page never promises less than the estimate) from a minute on. Indonesian and English.
    /// </summary>
    internal static (string Id, string En) WaitWords(int seconds)
    {
        if (seconds < 60)
        {
            return (string.Create(CultureInfo.InvariantCulture, $"{seconds} detik"), English(seconds, "second"));
        }

        var minutes = (seconds + 59) / 60;
        return (string.Create(CultureInfo.InvariantCulture, $"{minutes} menit"), English(minutes, "minute"));
    }

    private Html Updated()
    {
        if (Status.UpdatedAt is not { } updated)
        {
            return Html.Of($"Belum diperiksa<small lang=\"en\">Not checked yet</small>");
        }

        var wib = updated.ToOffset(Wib);
        var ago = Math.Max(0, (int)(Now - updated).TotalSeconds);
        var agoText = ago < 120
            ? Html.Of($"{ago} detik lalu / <span lang=\"en\">{English(ago, "second")} ago</span>")
            : Html.Of($"{ago / 60} menit lalu / <span lang=\"en\">{English(ago / 60, "minute")} ago</span>");
        return Html.Of($"""
            <time datetime="{updated.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}">{wib:HH:mm:ss} WIB</time>
            <small>{wib.Day} {MonthsId[wib.Month - 1]} {wib.Year} · {agoText}</small>
            """);
    }

    /// <summary>"1 second", "2 seconds". Indonesian needs no such rule: "1 detik", "2 detik".</summary>
    internal static string English(int count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")}");
}
