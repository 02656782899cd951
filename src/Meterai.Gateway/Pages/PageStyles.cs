namespace Meterai.Gateway.Pages;

/// <summary>
/// The one stylesheet, inlined in every page: no external asset to fail, be blocked or be cached
/// stale. System fonts, high contrast, tables that scroll on a phone, and a print layout.
/// </summary>
internal static class PageStyles
{
    public const string Css = """
        :root{color-scheme:light;--ink:#111;--muted:#4a4a4a;--line:#c4c4c4;--accent:#0b4f9c;--yes:#0a6b2d;--no:#a3161a;--soft:#f1f3f5}
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
        body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;color:var(--ink);background:#fff}
        header.site{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;border-bottom:4px solid var(--accent)}
        header.site .brand{font-weight:700;font-size:1.1rem;color:var(--ink);text-decoration:none}
        header.site .who{color:var(--muted);font-size:.95rem}
        header.site form{display:inline;margin:0}
        main{max-width:62rem;margin:0 auto;padding:1rem 1rem 2rem}
        h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 1rem}
        h2{font-size:1.25rem;margin:1.75rem 0 .5rem}
        a{color:var(--accent)}
        p{margin:.5rem 0}
        .muted{color:var(--muted)}
        .en{color:var(--muted);display:block}
        .table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
        table{border-collapse:collapse;width:100%;margin:.75rem 0 1.25rem}
        caption{text-align:left;font-weight:600;padding:.25rem 0}
        th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
        thead th{background:var(--soft);border-bottom:2px solid var(--ink)}
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        form.stack{display:grid;gap:.75rem;max-width:26rem}
        label{font-weight:600}
        input[type=password],input[type=text]{font:inherit;padding:.65rem;border:2px solid var(--muted);border-radius:.3rem;width:100%}
        input:focus,button:focus{outline:3px solid #f0b400;outline-offset:2px}
        button{font:inherit;font-weight:600;padding:.6rem 1.1rem;border:2px solid var(--accent);background:var(--accent);color:#fff;border-radius:.3rem;cursor:pointer}
        button.quiet{background:#fff;color:var(--accent);padding:.3rem .7rem}
        .notice{padding:.75rem 1rem;border-left:.4rem solid var(--no);background:#fdeced;margin:1rem 0}
        .answer{border-radius:.5rem;padding:1.25rem 1.25rem 1.1rem;margin:.5rem 0 1.25rem;color:#fff}
        .answer.yes{background:var(--yes)}
        .answer.no{background:var(--no)}
        .answer .big{display:block;font-size:2.6rem;font-weight:800;line-height:1.1;letter-spacing:.01em}
        .answer .id{display:block;font-size:1.35rem;font-weight:700;margin-top:.4rem}
        .answer .en{color:#fff;opacity:.92;font-size:1.1rem}
        dl.figures{margin:0}
        dl.figures div{padding:.75rem 0;border-bottom:1px solid var(--line)}
        dl.figures dt{margin:0}
        dl.figures dd{margin:.15rem 0 0;font-size:1.7rem;font-weight:700;line-height:1.2;font-variant-numeric:tabular-nums}
        dl.figures dd small{display:block;font-size:.95rem;font-weight:400;color:var(--muted);line-height:1.4}
        .nowrap{white-space:nowrap}
        th.num{white-space:normal}
        td.name{white-space:nowrap;min-width:12rem}
        figure.chart{margin:1rem 0;max-width:40rem}
        main:has(#report-distributors){max-width:80rem}
        #report-distributors{font-size:.9rem}
        figure.chart.small{margin:.25rem 0 .75rem}
        figure.chart figcaption{font-size:.95rem}
        svg.chart{display:block;width:100%;height:auto}
        .charts{display:grid;gap:0 1.5rem}
        .legend{font-size:.95rem}
        .key{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 .6em;vertical-align:-.1em;-webkit-print-color-adjust:exact;print-color-adjust:exact}
        .key.line{height:0;width:1.4em;border-top:3px solid;vertical-align:.25em}
        .key.dashed{border-top-style:dashed}
        @media (min-width:60rem){.charts{grid-template-columns:1fr 1fr}}
        footer.site{max-width:62rem;margin:0 auto;padding:0 1rem 2rem;color:var(--muted);font-size:.9rem}
        @media (min-width:40rem){dl.figures div{display:grid;grid-template-columns:1fr 1fr;gap:1rem;align-items:baseline}dl.figures dd{margin:0}.answer .big{font-size:3.2rem}}
        @media print{
          header.site form,.no-print{display:none}
          body{font-size:11pt}
          main{max-width:none;padding:0}
          a{color:inherit;text-decoration:none}
          .answer{color:#000;background:none!important;border:3px solid #000}
          .answer .en{color:#000}
          thead th{background:none}
          tr{break-inside:avoid}
          figure.chart{break-inside:avoid}
          svg.chart{-webkit-print-color-adjust:exact;print-color-adjust:exact}
        }
        """;
}
