/** The report page's stylesheet, inline in its <style> (the page loads no remote asset). */
export const REPORT_PAGE_STYLE = `
:root { --ink: #212529; --muted: #5c6670; --line: #e3e7eb; --bg: #f4f6f8; --card: #fff; --link: #1864ab; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 24px 48px; }
a { color: var(--link); }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.eyebrow { margin: 0; font-size: 12px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
h1 { margin: 4px 0 6px; font-size: 30px; line-height: 1.2; }
h1 .run { font-size: 16px; font-weight: 400; color: var(--muted); overflow-wrap: anywhere; }
h2 { margin: 0 0 14px; font-size: 19px; }
h3 { margin: 20px 0 4px; font-size: 15px; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin: 0; color: var(--muted); font-size: 14px; }
.lead { margin: 12px 0; font-size: 16px; max-width: 75ch; }
.pill { display: inline-block; padding: 1px 10px; border-radius: 999px; font-size: 13px; font-weight: 600; }
.pill.ok { background: #d3f9d8; color: #1b6e2d; }
.pill.bad { background: #ffe3e3; color: #a61e1e; }
.banner { margin: 12px 0; padding: 12px 16px; border-radius: 8px; border: 1px solid; max-width: 90ch; }
.banner.bad { background: #fff5f5; border-color: #ffa8a8; }
.banner.warn { background: #fff9db; border-color: #ffd43b; }
.banner.good { background: #ebfbee; border-color: #8ce99a; }
.banner.neutral { background: #f1f3f5; border-color: #dee2e6; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(175px, 1fr)); gap: 12px; margin: 24px 0 0; }
.card { background: var(--card); border: 1px solid var(--line); border-top: 4px solid var(--c); border-radius: 10px; padding: 12px 16px 14px; }
.card .big { font-size: 34px; font-weight: 700; line-height: 1.15; font-variant-numeric: tabular-nums; }
.card .what { font-size: 14px; font-weight: 600; }
.card .hint { margin-top: 4px; font-size: 12.5px; color: var(--muted); }
.card.zero .big, .card.zero .what { color: #adb5bd; }
section { margin-top: 20px; padding: 20px 24px; background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
.sub { margin: 0 0 10px; color: var(--muted); font-size: 13.5px; }
.empty { color: var(--muted); font-style: italic; margin: 0; }
.none { color: #adb5bd; font-style: italic; }
.note { margin: 10px 0 0; padding: 8px 12px; background: #e7f5ff; border-radius: 6px; font-size: 14px; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
th { position: sticky; top: 0; background: #f8f9fa; color: var(--muted); font-size: 12px; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.before { color: #a61e1e; }
td.after, .after { color: #1b6e2d; }
del { color: #a61e1e; }
.input { color: var(--muted); font-size: 12.5px; }
.who { color: var(--muted); }
.times { color: var(--muted); font-weight: 600; }
.changes td { white-space: nowrap; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 0 0 10px; font-size: 14px; }
.filters input, .filters select { font: inherit; padding: 3px 8px; border: 1px solid var(--line); border-radius: 6px; }
.filters input { min-width: 240px; }
.filters .count { color: var(--muted); }
[hidden] { display: none !important; }
.scroll { max-height: 540px; overflow: auto; border: 1px solid var(--line); border-radius: 8px; }
.scroll tr:last-child td { border-bottom: 0; }
.tag { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12.5px; font-weight: 600; color: #fff; background: var(--c); white-space: nowrap; }
.chart { display: block; max-width: 860px; height: auto; }
.chart text { font-family: inherit; }
.chart-label { font-size: 14px; fill: var(--ink); }
.chart-value { font-size: 14px; font-weight: 600; fill: var(--ink); }
.chart-tick { font-size: 12px; fill: var(--muted); }
.chart-track { fill: #f1f3f5; }
.chart-grid { stroke: #e9ecef; stroke-width: 1; }
.chart-line { fill: none; stroke: #1c7ed6; stroke-width: 2.5; stroke-linejoin: round; }
.chart-area { fill: #1c7ed6; fill-opacity: .12; }
.files { margin: 0; padding-left: 20px; }
.files li { margin: 4px 0; }
dl.details { display: grid; grid-template-columns: max-content 1fr; gap: 6px 24px; margin: 0 0 12px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
details summary { cursor: pointer; color: var(--link); margin: 8px 0; }
table.settings td:first-child { width: 30%; }
footer { margin-top: 24px; color: var(--muted); font-size: 13px; text-align: center; }
@media (max-width: 640px) { dl.details { grid-template-columns: 1fr; } main { padding: 20px 12px; } }
@media print { body { background: #fff; } .scroll { max-height: none; overflow: visible; } th { position: static; } }
`;
