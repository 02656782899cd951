using Meterai.Gateway.Kernel;
using Meterai.Gateway.Pages;
using Microsoft.AspNetCore.Components;

namespace Meterai.Gateway.Auth;

/// <summary>The sign-in form: exchanges a regulator or operator key for a session cookie.</summary>
internal sealed class SignInPage : PageComponent
{
    /// <summary>Where to go after signing in; already checked to be a local path under /oversight.</summary>
    [Parameter]
    public string ReturnUrl { get; set; } = OversightPaths.Home;

    /// <summary>Why the form is shown again (a wrong key, an expired form), or null.</summary>
    [Parameter]
    public string? Message { get; set; }

    protected override string Title => "Masuk pengawasan / Oversight sign-in";

    protected override Html Content() => Html.Of($"""
        {(Message is null ? Html.Empty : Html.Of($"""<p class="notice" role="alert">{Message}</p>"""))}
        <p>Halaman pengawasan untuk regulator dan operator. Masukkan kunci API Anda.
        <span class="en">Oversight pages for regulators and operators. Enter your API key.</span></p>
        <form class="stack" method="post" action="{OversightPaths.SignIn}?returnUrl={Uri.EscapeDataString(ReturnUrl)}">
        {AntiforgeryField()}
        <label for="apiKey">Kunci API / API key</label>
        <input id="apiKey" name="apiKey" type="password" autocomplete="current-password" required autofocus>
        <button type="submit">Masuk / Sign in</button>
        </form>
        <p class="muted">Sesi berakhir setelah tidak aktif, atau saat peramban ditutup.
        <span class="en">The session ends when idle, or when the browser closes.</span></p>
        """);
}

/// <summary>A signed-in regulator on a page that needs an operator key.</summary>
internal sealed class ForbiddenPage : PageComponent
{
    protected override string Title => "Tidak diizinkan / Not allowed";

    protected override Html Content() => Html.Of($"""
        <p class="notice" role="alert">Kunci Anda hanya dapat membaca. Tindakan ini memerlukan kunci operator.
        <span class="en">Your key can read but not act: this needs an operator key.</span></p>
        <p><a href="{OversightPaths.Home}">Kembali ke pengawasan / Back to oversight</a></p>
        """);
}

/// <summary>
/// The example oversight page, and the pattern for the others:
/// an endpoint with <c>.RequireAuthorization(OversightPolicies.Read)</c> (or <c>Act</c>) that returns
/// <c>new RazorComponentResult&lt;ThisPage&gt;(parameters)</c>; a <see cref="PageComponent"/> with a
/// title and content; data as <c>[Parameter]</c>s computed by the handler; tables inside a
/// <c>.table-wrap</c> so they scroll on a phone; and every POST form with <c>{AntiforgeryField()}</c>
/// posting to an endpoint marked <c>.RequireAntiforgeryForm()</c>.
/// </summary>
internal sealed class SessionPage : PageComponent
{
    protected override string Title => "Sesi Anda / Your session";

    protected override Html Content()
    {
        var user = HttpContext?.User;
        var role = user is null ? null : OversightPrincipal.RoleOf(user);
        var canAct = role == OversightRoles.Operator;
        return Html.Of($"""
            <div class="table-wrap"><table>
            <caption>Masuk sebagai / Signed in as</caption>
            <tbody>
            <tr><th scope="row">Peran / Role</th><td>{role}</td></tr>
            <tr><th scope="row">Kunci / Key</th><td>{user?.Identity?.Name}</td></tr>
            <tr><th scope="row">Membaca / Read</th><td>Ya / Yes</td></tr>
            <tr><th scope="row">Bertindak / Act</th><td>{(canAct ? "Ya / Yes" : "Tidak / No")}</td></tr>
            </tbody>
            </table></div>
            <p><a href="{OversightPaths.Home}">Pengawasan distributor / Distributor oversight</a></p>
            """);
    }
}
