/** Minimal HTML building: escaping and tables. Everything rendered is static; the page has no scripts. */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A cell: plain text (escaped) or `{ html }` already rendered; `className` e.g. "pass" / "fail" / "num". */
export type Cell = string | { text: string; className?: string };

function renderCell(tag: 'td' | 'th', cell: Cell): string {
  if (typeof cell === 'string') return `<${tag}>${escapeHtml(cell)}</${tag}>`;
  const cls = cell.className === undefined ? '' : ` class="${escapeHtml(cell.className)}"`;
  return `<${tag}${cls}>${escapeHtml(cell.text)}</${tag}>`;
}

export function htmlTable(header: readonly Cell[], rows: readonly (readonly Cell[])[], caption?: string): string {
  const cap = caption === undefined ? '' : `<caption>${escapeHtml(caption)}</caption>`;
  const head = `<thead><tr>${header.map((c) => renderCell('th', c)).join('')}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((c) => renderCell('td', c)).join('')}</tr>`).join('')}</tbody>`;
  return `<table>${cap}${head}${body}</table>`;
}

export const num = (text: string): Cell => ({ text, className: 'num' });

export const PAGE_STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #1f2328; }
h1 { margin-bottom: 0; } h2 { margin-top: 2.2em; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
.lead { color: #59636e; margin-top: 4px; }
table { border-collapse: collapse; margin: 12px 0 20px; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; }
th { background: #f6f8fa; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.pass { color: #1a7f37; text-align: right; } td.fail { color: #cf222e; text-align: right; font-weight: 600; }
.chart { margin: 8px 0; } .chart svg { max-width: 100%; height: auto; }
.notes li, .impls li { margin: 2px 0; } .error { color: #cf222e; }
nav ul { columns: 2; } dl.machine { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.machine dt { color: #59636e; }
.heatmaps { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 12px; }
.heatmap { margin: 0; } .heatmap svg { width: 100%; height: auto; } .heatmap figcaption { font-size: 12px; color: #59636e; }
`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
