using PdfSharp.Drawing;
using PdfSharp.Fonts;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// PDFsharp's fonts: DejaVu Sans embedded in the gateway (Fonts/DejaVuSans.ttf, its licence beside
/// it), bold simulated. PDFsharp's core build finds no system fonts on Linux, and a deployment
/// image has none; an embedded font renders the same report on every host.
/// </summary>
internal sealed class PdfFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";

    private const string Face = "DejaVuSans";

    private static readonly Lazy<byte[]> Regular = new(() =>
    {
        using var stream = typeof(PdfFonts).Assembly.GetManifestResourceStream("Meterai.Gateway.Oversight.Fonts.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("The embedded font Oversight/Fonts/DejaVuSans.ttf is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    private static readonly Lock Gate = new();

    /// <summary>Installs the resolver once per process; PDFsharp allows only one, set before the first font is made.</summary>
    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not PdfFonts)
            {
                GlobalFontSettings.FontResolver = new PdfFonts();
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(Face, (bold ? XStyleSimulations.BoldSimulation : XStyleSimulations.None) | (italic ? XStyleSimulations.ItalicSimulation : XStyleSimulations.None));

    public byte[]? GetFont(string faceName) => Regular.Value;
}
