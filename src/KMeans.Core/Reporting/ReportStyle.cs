namespace KMeans.Core.Reporting;

/// <summary>
/// The report's stylesheet: a light and a dark palette chosen by prefers-color-scheme, a layout that reflows from a
/// desktop window to a phone, and chart colours by class. It avoids the characters XML would escape in text (no
/// child selectors), so the file stays well-formed XML and valid HTML at once.
/// </summary>
internal static class ReportStyle
{
    public const string Css = """
        :root{color-scheme:light dark;--bg:#ffffff;--fg:#1d2330;--muted:#5b6478;--line:#d5dae3;--panel:#f5f7fa;--loss:#1f6feb;--change:#b35900;--time:#2e7d32;--bar:#6f8fcf;--bound:#c62828;--good:#2e7d32;--bad:#c62828}
        @media (prefers-color-scheme:dark){:root{--bg:#0f1318;--fg:#e3e7ee;--muted:#9aa4b5;--line:#2c3440;--panel:#171d25;--loss:#6ea8ff;--change:#f0a35c;--time:#7bd389;--bar:#5f82c9;--bound:#ff6b6b;--good:#7bd389;--bad:#ff6b6b}}
        body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        main{max-width:1120px;margin:0 auto;padding:16px 20px 32px}
        h1{font-size:1.55em;margin:.2em 0}
        h2{font-size:1.15em;margin:1.6em 0 .6em;padding-bottom:.2em;border-bottom:1px solid var(--line)}
        .lede{color:var(--muted);margin:0}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:8px;margin-top:14px}
        .card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px}
        .card span{display:block}
        .card .label{color:var(--muted);font-size:.8em}
        .card .value{font-size:1.05em;font-weight:600;font-variant-numeric:tabular-nums}
        .good{color:var(--good)}
        .bad{color:var(--bad)}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(400px,1fr));gap:12px}
        figure{margin:0;background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 8px 6px}
        figcaption{font-size:.85em;color:var(--muted);margin:2px 4px 0}
        svg{display:block;width:100%;height:auto}
        svg text{font-size:13px;fill:var(--muted)}
        svg .grid{stroke:var(--line)}
        svg .frame{stroke:var(--muted)}
        svg .loss{stroke:var(--loss)}
        svg .change{stroke:var(--change)}
        svg .time{stroke:var(--time)}
        svg .dot{stroke:none}
        svg .dot.loss{fill:var(--loss)}
        svg .dot.change{fill:var(--change)}
        svg .dot.time{fill:var(--time)}
        svg .bars{fill:var(--bar)}
        svg .guide{stroke:var(--muted)}
        svg .guide.bound{stroke:var(--bound)}
        svg .guide-label.bound{fill:var(--bound)}
        svg .guide.repair{stroke:var(--bound)}
        svg .guide-label.repair{fill:var(--bound)}
        .scroll{overflow-x:auto;max-width:100%}
        table{border-collapse:collapse;font-size:.9em;font-variant-numeric:tabular-nums}
        th,td{padding:3px 10px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
        th{font-weight:600}
        th:first-child,td:first-child{text-align:left}
        table.facts th{color:var(--muted);font-weight:normal;vertical-align:top}
        table.facts td{text-align:left;white-space:normal;overflow-wrap:anywhere}
        details summary{cursor:pointer;color:var(--muted);margin:.3em 0}
        footer{margin-top:2em;color:var(--muted);font-size:.85em}
        @media (max-width:860px){.charts{grid-template-columns:1fr}}
        @media (max-width:520px){main{padding:10px 10px 24px}body{font-size:14px}.charts{grid-template-columns:1fr}th,td{padding:3px 6px}}
        """;
}
