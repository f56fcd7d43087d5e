// Charts leave the app as downloads (a Blob and <a download>; Electron shows its save dialog):
// the picture as PNG from the chart's canvas, the plotted numbers as CSV. The host's file API
// writes graph files only (engine/host/paths.ts), so downloads are the way out for these.

export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The canvas as a PNG download, on the theme's panel colour (a transparent PNG reads badly); `themed` carries the theme's variables. */
export function downloadPng(canvas: HTMLCanvasElement, name: string, themed: Element = canvas): void {
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext('2d');
  if (ctx === null) return;
  ctx.fillStyle = getComputedStyle(themed).getPropertyValue('--nw-panel').trim() || '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  out.toBlob((blob) => {
    if (blob !== null) downloadBlob(`${name}.png`, blob);
  }, 'image/png');
}

function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows (the first one the header) as CSV text (RFC 4180 quoting). */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

export function downloadCsv(rows: readonly (readonly (string | number | null | undefined)[])[], name: string): void {
  downloadBlob(`${name}.csv`, new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' }));
}
