// The soak's outputs: the table (stdout, docs), soak.json, and soak.svg with two charts over time per pair,
// the server's RSS and the ops per second.
import { RSS_GROWTH_LIMIT_PCT } from './goals.js';
import type { PairResult } from './pair.js';

const num = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mib = (kib: number | null) => (kib === null ? '-' : num(kib / 1024, 1));

/** The results as a Markdown table (it reads as plain text on a terminal too). */
export function renderTable(results: PairResult[]): string {
  const head = ['host', 'server', 'time s', 'ops/s', 'MiB checked', 'lost B', 'wrong B', 'unexpected', 'resets', 'half-closes',
    'RSS 1 min MiB', 'RSS end MiB', 'RSS max MiB', 'growth after 1 min %', 'halves peak growth %', 'goals'];
  const rows = results.map((r) => [r.host, r.server, num(r.duration_s), num(r.ops_per_s), num(r.bytes_checked / 1048576, 1),
    num(r.bytes_lost), num(r.bytes_wrong), num(r.unexpected_errors), num(r.resets), num(r.half_closes),
    mib(r.rss.minute_kib), mib(r.rss.last_kib), mib(r.rss.max_kib), r.rss.growth_pct === null ? 'n/a' : num(r.rss.growth_pct, 1),
    r.rss.halves_growth_pct === null ? 'n/a' : num(r.rss.halves_growth_pct, 1),
    r.error ? 'error' : r.misses.length ? 'MISSED' : 'met']);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Series { name: string; color: string; points: Array<[number, number]> }

/** One line chart: x = seconds, y from 0 to the largest value; returns SVG elements placed at (x0, y0). */
function chart(title: string, series: Series[], x0: number, y0: number, w: number, h: number): string[] {
  const out = [`<text x="${x0}" y="${y0 - 8}" font-weight="bold">${esc(title)}</text>`];
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1, ...ys) * 1.1;
  const X = (t: number) => x0 + (t / xMax) * w;
  const Y = (v: number) => y0 + h - (v / yMax) * h;
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${x0 - 4}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${num(v, v < 10 ? 1 : 0)}</text>`);
    const t = (xMax * i) / 4;
    out.push(`<text x="${X(t).toFixed(1)}" y="${y0 + h + 14}" text-anchor="middle">${num(t)} s</text>`);
  }
  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map(([t, v], i) => `${i ? 'L' : 'M'}${X(t).toFixed(1)},${Y(v).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"><title>${esc(s.name)}</title></path>`);
  }
  return out;
}

/** soak.svg: RSS (MiB) and ops/s over time, one line per pair, a legend on the right. */
export function renderSvg(results: PairResult[], title: string): string {
  const W = 980, H = 640, x0 = 70, w = 700, h = 230;
  const named = results.map((r, i) => ({ r, name: `${r.host} ${r.server}`, color: COLORS[i % COLORS.length] }));
  const rss: Series[] = named.map(({ r, name, color }) => ({
    name, color, points: r.samples.filter((s) => s.rss_kib !== null).map((s) => [s.t_s, s.rss_kib! / 1024] as [number, number]),
  }));
  const ops: Series[] = named.map(({ r, name, color }) => ({
    name, color, points: r.samples.filter((s) => s.ops_per_s !== null).map((s) => [s.t_s, s.ops_per_s!] as [number, number]),
  }));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...chart(`Server RSS, MiB (goal: growth from the first minute to the end < ${RSS_GROWTH_LIMIT_PCT} %)`, rss, x0, 60, w, h),
    ...chart('Completed exchanges per second', ops, x0, 60 + h + 70, w, h),
  ];
  named.forEach(({ r, name, color }, i) => {
    const y = 70 + i * 20;
    const mark = r.error ? ' (error)' : r.misses.length ? ' (missed)' : '';
    out.push(`<rect x="${x0 + w + 20}" y="${y - 9}" width="12" height="12" fill="${color}"/>`,
      `<text x="${x0 + w + 38}" y="${y + 1}">${esc(name + mark)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
