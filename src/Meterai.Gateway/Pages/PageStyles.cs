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
        header.site nav{display:flex;gap:1rem;margin-right:auto;margin-left:1rem}
        header.site nav a,header.site .who a{color:var(--accent)}
        main{max-width:62rem;margin:0 auto;padding:1rem 1rem 2rem}
        main.wide{max-width:120rem;padding-left:1.5rem;padding-right:1.5rem}
        h3{font-size:1.05rem;margin:1.25rem 0 .25rem}
        .lead{font-size:1.15rem}
        .id-line{display:block;color:var(--muted);font-size:1rem}
        .summary{margin-bottom:1rem}
        section.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem 1rem;padding:.75rem 1rem;margin:0 0 1rem;background:var(--soft);border-left:.4rem solid var(--accent)}
        section.actions h2{font-size:1rem;margin:0;flex-basis:100%}
        section.actions form{margin:0}
        .flag{display:inline-block;margin:.1rem .25rem .1rem 0;padding:.05rem .45rem;border:1px solid var(--no);border-radius:.25rem;background:#fdeced;color:var(--no);font-size:.9rem;font-weight:600}
        .state.inactive{color:var(--no);font-weight:700}
        .state.active{color:var(--yes);font-weight:600}
        .muted.id{font-size:.85rem;white-space:nowrap}
        #distributors td.name{white-space:nowrap}
        #distributors td.state{min-width:16rem}
        .flag{white-space:nowrap}
        @media (max-width:40rem){
          header.site nav{margin-left:0}
          #distributors,#distributors tbody{display:block}
          #distributors thead{display:none}
          #distributors tr{display:grid;grid-template-columns:repeat(3,1fr);gap:0 .75rem;padding:.6rem 0;border-bottom:1px solid var(--line)}
          #distributors tr.flagged{border-bottom:none;padding-bottom:.2rem}
          #distributors td{border:none;padding:.15rem 0;text-align:left;white-space:normal}
          #distributors td.name,#distributors td.state{grid-column:1/-1;min-width:0}
          #distributors td[data-label]::before{content:attr(data-label);display:block;font-size:.8rem;color:var(--muted);font-weight:400}
          #distributors tr.evidence{display:block;padding-top:0}
          #distributors tr.evidence td{display:block}
          .flag{white-space:normal}
        }
        #distributors tr.flagged td{border-bottom:none}
        #distributors tr.evidence td{padding-top:0;background:#fffafa}
        details summary{cursor:pointer;color:var(--accent);font-weight:600}
        ul.evidence{list-style:none;margin:.25rem 0 .5rem;padding:0}
        ul.evidence li{padding:.4rem 0;border-top:1px dashed var(--line)}
        ul.evidence li:first-child{border-top:none}
        ul.evidence p{margin:.2rem 0 0;max-width:60rem}
        dl.figures.compact{display:grid;grid-template-columns:1fr 1fr;gap:0 1rem}
        dl.figures.compact div{display:block;padding:.5rem 0}
        dl.figures.compact dd{font-size:1.3rem;margin:0}
        @media (min-width:60rem){dl.figures.compact{grid-template-columns:repeat(3,1fr);gap:0 2rem}}
        .prose{max-width:52rem}
        .prose h2{margin-top:2rem}
        .prose code{font-size:.9em;background:var(--soft);padding:0 .2em;border-radius:.2em;overflow-wrap:anywhere}
        .prose table{display:block;overflow-x:auto}
        .prose td code{white-space:nowrap;overflow-wrap:normal}
        .howto{border:1px solid var(--line);border-radius:.5rem;padding:.25rem 1rem .75rem;margin:1.25rem 0}
        .howto h2{margin-top:.75rem}
        .howto ol{padding-left:1.25rem;margin:.25rem 0}
        .howto li{margin:.35rem 0}
        dl.statuses{display:grid;grid-template-columns:auto 1fr;gap:.3rem .75rem;margin:.5rem 0}
        dl.statuses dt{font-weight:700;font-family:monospace}
        dl.statuses dd{margin:0}
        code.call{font-size:.95rem;background:var(--soft);padding:.1rem .35rem;border-radius:.2rem;overflow-wrap:anywhere}
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
        .notice.queue{border-left-color:#8a5300;background:#fff4e0}
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
