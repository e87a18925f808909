// Terminal tables, ratios of the wasmux hosts to the peers, and the hand-written SVG chart.
import { echoRatios, median, ratioCell, type EchoRatio } from './ratios.js';
import { manyRatios } from './many-ratios.js';
import type { Row } from './types.js';

function fmt(x: unknown, digits = 0): string {
  if (x === null || x === undefined) return '-';
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return '-';
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function table(headers: string[], lines: string[][]): string {
  const w = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const left = headers[1] === 'server' ? 2 : 1;
  const row = (cells: string[]) => cells.map((c, i) => (i < left ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [row(headers), w.map((n) => '-'.repeat(n)).join('  '), ...lines.map(row)].join('\n');
}

/** A core series: server, API, and the guest variant when there is one. */
const coreSeries = (r: Row) => `${r.server} ${r.api ?? ''} ${r.variant ?? ''}`.replace(/ +/g, ' ').trim();

const sizeName = (s: number | null) => (s === null ? '-' : s >= 1024 ? `${s / 1024} KiB` : `${s} B`);

/** One ratio table: a row per point x host, a column per peer, `pick` choosing the ratios of a cell. */
function ratioTable(ratios: EchoRatio[], pick: (r: EchoRatio) => number[]): string {
  const rowKey = (r: EchoRatio) => `${sizeName(r.size)} x ${r.concurrency} ${r.host}`;
  const keys = [...new Set(ratios.map(rowKey))];
  const columns = [...new Set(ratios.map((r) => r.column))];
  return table(['point', ...columns], keys.map((k) => [k, ...columns.map((c) => {
    const r = ratios.find((x) => rowKey(x) === k && x.column === c);
    return r ? ratioCell(pick(r)) : '-';
  })]));
}

/** The per-turn profile of the Node host(s), every point and round (rows from --profile). */
function profileTable(rows: Row[]): string | null {
  const prof = rows.filter((r) => r.scenario === 'echo' && !r.error && typeof r.turns === 'number');
  if (!prof.length) return null;
  return table(['point', 'server', 'round', 'events/turn', 'waits/turn', 'idle us', 'wake us', 'poll us', 'recv us', 'guest us', 'send us', 'recv/turn', 'send/turn', 'lag mean ms', 'ticks > 10 ms', 'ticks > 100 ms'],
    prof.map((r) => [`${sizeName(r.size)} x ${r.concurrency}`, r.server, fmt(r.round), fmt(r.turn_events, 2), fmt(r.turn_waits, 2), fmt(r.turn_idle_us, 2),
      fmt(r.turn_wake_us, 2), fmt(r.turn_poll_us, 2), fmt(r.turn_recv_us, 2), fmt(r.turn_guest_us, 2), fmt(r.turn_send_us, 2),
      fmt(r.recv_per_turn, 2), fmt(r.send_per_turn, 2), fmt(r.lag_mean_ms, 2), fmt(r.lag_over_10ms), fmt(r.lag_over_100ms)]));
}

export function renderTables(rows: Row[]): string {
  const parts: string[] = [];
  const core = rows.filter((r) => r.scenario === 'core');
  if (core.length) {
    parts.push('Core loop: ns per select call, one fd ready (guest = fake imports that answer at once)');
    const series = [...new Set(core.map(coreSeries))];
    const ns = [...new Set(core.filter((r) => r.fds !== undefined).map((r) => r.fds as number))].sort((a, b) => a - b);
    const lines = series.map((s) => [s, ...ns.map((n) => {
      const r = core.find((c) => coreSeries(c) === s && c.fds === n);
      if (!r) return '-';
      if (r.error) return 'error';
      return fmt(r.ns_per_call) + (r.ready_per_call !== undefined && (r.ready_per_call as number) > 1.01 ? ` (${fmt(r.ready_per_call)}r)` : '');
    })]);
    parts.push(table(['series', ...ns.map((n) => `${fmt(n)} fds`)], lines));
  }
  const many = rows.filter((r) => r.scenario === 'many');
  if (many.length) {
    parts.push('\nMany: 1 KiB x 10 closed loop with idle connections open; ratio = req/s / the same server\'s no-idle req/s');
    parts.push('(server us/req: the server\'s user+sys CPU per request over the measured window, user in brackets)');
    parts.push(table(['server', 'variant', 'round', 'idle', 'req/s', 'ratio', 'server us/req', 'wake p50 us', 'wake p99 us', 'wake max us', 'B/idle conn', 'note'],
      many.map((r) => [r.server, String(r.variant ?? '-'), fmt(r.round), fmt(r.idle), fmt(r.rps), r.ratio_to_no_idle == null ? '-' : `${fmt(r.ratio_to_no_idle, 2)}x`,
        r.server_us_per_req == null ? '-' : `${fmt(r.server_us_per_req, 1)} (${fmt(r.server_user_us, 1)})`,
        fmt(r.wake_p50_us), fmt(r.wake_p99_us), fmt(r.wake_max_us), fmt(r.bytes_per_idle_conn),
        r.error ? `ERROR: ${r.error}` : r.wake_pending ? `${r.wake_pending} probe(s) unanswered at the end (${fmt(r.wake_pending_max_us)} us)` : ''])));
    const summary = manyRatios(rows);
    const rounds = Math.max(0, ...summary.map((m) => m.rounds.length));
    if (rounds > 1) {
      parts.push(`\nMany, per point: median [lowest..highest] of the ${rounds} round-by-round ratios; wake-up p50, median of the rounds`);
      parts.push(table(['server', 'variant', 'idle', 'ratio', 'wake p50 us'], summary.map((m) => [m.server, m.variant, fmt(m.idle), ratioCell(m.ratio),
        fmt(median(m.wakeP50Us.filter((w): w is number => w !== null)))])));
    }
  }
  const net = rows.filter((r) => r.scenario !== 'core' && r.scenario !== 'many');
  if (net.length) {
    parts.push('\nNetwork scenarios');
    const nodes = [...new Map(net.filter((r) => r.node).map((r) => [r.server, `${r.server} = Node ${r.node}${r.wait ? `, ${r.wait}` : ''}`])).values()];
    if (nodes.length) parts.push(`(${nodes.join('; ')})`);
    parts.push(table(['scenario', 'server', 'size', 'conc', 'round', 'req/s', 'MiB/s', 'p50 us', 'p99 us', 'client cpu', 'server cpu', 'user us/req', 'note'],
      net.map((r) => [r.scenario, r.server, sizeName(r.size), fmt(r.concurrency), fmt(r.round), fmt(r.rps), fmt(r.mibps, 1), fmt(r.p50_us), fmt(r.p99_us),
        fmt(r.client_cpu, 2), fmt(r.server_cpu, 2), fmt(r.server_user_us, 2),
        r.error ? `ERROR: ${r.error}` : r.non_2xx ? `${r.non_2xx} non-2xx` : ''])));
  }
  const ratios = echoRatios(rows);
  if (ratios.length) {
    const rounds = Math.max(...ratios.map((r) => r.rounds.length));
    const how = rounds > 1 ? `median [lowest..highest] of the ${rounds} round-by-round ratios` : 'one round';
    parts.push(`\nEcho: wasmux req/s divided by each peer's, same round (higher is better; ${how}); @N = on Node N, against the peer on the same Node`);
    parts.push(ratioTable(ratios, (r) => r.rps));
    parts.push(`\nEcho: wasmux p99 latency divided by each peer's, same round (lower is better; ${how})`);
    parts.push(ratioTable(ratios, (r) => r.p99));
  }
  const prof = profileTable(rows);
  if (prof) {
    parts.push('\nNode host per turn (one poll_oneoff call and the guest work until the next), us per turn; lag = a 10 ms setInterval beside the guest');
    parts.push(prof);
  }
  const errs = rows.filter((r) => r.error);
  if (errs.length) parts.push(`\n${errs.length} error row(s): see the note column / the JSON`);
  return parts.join('\n') + '\n';
}

const COLORS: Record<string, string> = {
  'wasmux-node': '#d62728', 'wasmux-wasmtime': '#ff7f0e', 'node-net': '#2ca02c', 'python-selectors': '#9467bd',
  uvloop: '#8c564b', 'c-epoll': '#1f77b4', 'node-http': '#2ca02c', redis: '#1f77b4', 'wasmux-guest': '#e377c2',
};
const PALETTE = ['#e377c2', '#d62728', '#ff7f0e', '#9467bd', '#17becf', '#bcbd22', '#7f7f7f', '#8c564b'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Two panels: echo req/s by server for each size x concurrency; ns per select vs registered fds (log-log). */
export function renderSvg(rows: Row[], title: string): string {
  const W = 980;
  const out: string[] = [];
  const echo = rows.filter((r) => r.scenario === 'echo');
  const points = [...new Set(echo.map((r) => `${r.size}|${r.concurrency}`))];
  const servers = [...new Set(echo.map((r) => r.server))];
  const H1 = echo.length ? 340 : 0;
  const core = rows.filter((r) => r.scenario === 'core' && !r.error && typeof r.fds === 'number' && typeof r.ns_per_call === 'number');
  const H2 = core.length ? 380 : 0;
  const H = 40 + H1 + H2 + 20;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  let y0 = 40;
  if (echo.length) {
    const x0 = 70, pw = W - x0 - 170, ph = H1 - 80;
    const max = Math.max(1, ...echo.map((r) => r.rps ?? 0));
    const nice = 10 ** Math.floor(Math.log10(max));
    const top = Math.ceil(max / nice) * nice;
    out.push(`<text x="${x0}" y="${y0 + 12}" font-weight="bold">Echo, closed loop: requests/s, median round; whisker: lowest..highest round (higher is better)</text>`);
    const py = y0 + 24;
    for (let i = 0; i <= 5; i++) {
      const v = (top * i) / 5, yy = py + ph - (ph * i) / 5;
      out.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${yy}" y2="${yy}" stroke="#ddd"/><text x="${x0 - 4}" y="${yy + 4}" text-anchor="end">${fmt(v)}</text>`);
    }
    // A server on a Node of --node takes its kind's colour, lighter for each further Node.
    const labels = [...new Set(servers.map((x) => x.split('@')[1]).filter(Boolean))];
    const color = (x: string) => COLORS[x] ?? COLORS[x.split('@')[0]] ?? '#777';
    const shade = (x: string) => {
      const i = labels.indexOf(x.split('@')[1]);
      return i > 0 ? ` fill-opacity="${(1 - (0.6 * i) / labels.length).toFixed(2)}"` : '';
    };
    const gw = pw / Math.max(1, points.length);
    const bw = (gw * 0.8) / Math.max(1, servers.length);
    points.forEach((p, gi) => {
      const [size, conc] = p.split('|').map(Number);
      servers.forEach((s, si) => {
        // Every round of the point: the bar is the median, the whisker spans the lowest to the highest round.
        const rounds = echo.filter((e) => e.server === s && `${e.size}|${e.concurrency}` === p && !e.error && e.rps);
        const x = x0 + gi * gw + gw * 0.1 + si * bw;
        if (!rounds.length) {
          out.push(`<text x="${x + bw / 2}" y="${py + ph - 3}" text-anchor="middle" fill="#999" font-size="9">x</text>`);
          return;
        }
        const rates = rounds.map((r) => r.rps!);
        const h = (ph * median(rates)) / top;
        const tip = rounds.map((r) => `round ${r.round ?? 1}: ${fmt(r.rps)} req/s, p99 ${fmt(r.p99_us)} us`).join('; ');
        out.push(`<rect x="${x.toFixed(1)}" y="${(py + ph - h).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${color(s)}"${shade(s)}><title>${esc(`${s} ${sizeName(size)} x ${conc}: ${tip}`)}</title></rect>`);
        if (rounds.length > 1) {
          const [lo, hi] = [Math.min(...rates), Math.max(...rates)].map((v) => py + ph - (ph * v) / top);
          const cx = (x + (bw - 1) / 2).toFixed(1);
          out.push(`<line x1="${cx}" x2="${cx}" y1="${lo.toFixed(1)}" y2="${hi.toFixed(1)}" stroke="#333"/>`);
        }
      });
      out.push(`<text x="${x0 + gi * gw + gw / 2}" y="${py + ph + 16}" text-anchor="middle">${sizeName(size)} x ${conc}</text>`);
    });
    servers.forEach((s, i) => {
      out.push(`<rect x="${x0 + pw + 15}" y="${py + i * 18}" width="12" height="12" fill="${color(s)}"${shade(s)}/><text x="${x0 + pw + 32}" y="${py + i * 18 + 10}">${esc(s)}</text>`);
    });
    y0 += H1;
  }
  if (core.length) {
    const x0 = 70, pw = W - x0 - 260, ph = H2 - 80;
    const py = y0 + 24;
    out.push(`<text x="${x0}" y="${y0 + 12}" font-weight="bold">Core loop: ns per select call vs registered fds, one ready (log-log, lower is better)</text>`);
    const xs = core.map((r) => r.fds as number), ys = core.map((r) => r.ns_per_call as number);
    const lx0 = Math.log10(Math.min(...xs)), lx1 = Math.max(lx0 + 1, Math.log10(Math.max(...xs)));
    const ly0 = Math.floor(Math.log10(Math.min(...ys))), ly1 = Math.max(ly0 + 1, Math.ceil(Math.log10(Math.max(...ys))));
    const X = (n: number) => x0 + ((Math.log10(n) - lx0) / (lx1 - lx0)) * pw;
    const Y = (v: number) => py + ph - ((Math.log10(v) - ly0) / (ly1 - ly0)) * ph;
    for (let e = ly0; e <= ly1; e++) {
      out.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${Y(10 ** e)}" y2="${Y(10 ** e)}" stroke="#ddd"/><text x="${x0 - 4}" y="${Y(10 ** e) + 4}" text-anchor="end">${fmt(10 ** e)}</text>`);
    }
    for (const n of [...new Set(xs)].sort((a, b) => a - b)) {
      out.push(`<line x1="${X(n)}" x2="${X(n)}" y1="${py}" y2="${py + ph}" stroke="#eee"/><text x="${X(n)}" y="${py + ph + 16}" text-anchor="middle">${fmt(n)}</text>`);
    }
    const series = [...new Set(core.map(coreSeries))];
    series.forEach((s, i) => {
      const pts = core.filter((r) => coreSeries(r) === s).sort((a, b) => (a.fds as number) - (b.fds as number));
      const color = pts[0].server === 'wasmux-guest' ? PALETTE[i % 2] : COLORS[pts[0].server] && !pts[0].server.startsWith('python') ? COLORS[pts[0].server] : PALETTE[(i + 2) % PALETTE.length];
      const dash = pts[0].server.startsWith('python') ? ' stroke-dasharray="5,3"' : '';
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${pts.map((p) => `${X(p.fds as number).toFixed(1)},${Y(p.ns_per_call as number).toFixed(1)}`).join(' ')}"/>`);
      for (const p of pts) out.push(`<circle cx="${X(p.fds as number).toFixed(1)}" cy="${Y(p.ns_per_call as number).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s}, ${p.fds} fds: ${fmt(p.ns_per_call)} ns`)}</title></circle>`);
      out.push(`<line x1="${x0 + pw + 15}" x2="${x0 + pw + 35}" y1="${py + i * 18 + 6}" y2="${py + i * 18 + 6}" stroke="${color}" stroke-width="2"${dash}/><text x="${x0 + pw + 40}" y="${py + i * 18 + 10}">${esc(s)}</text>`);
    });
    out.push(`<text x="${x0 + pw / 2}" y="${py + ph + 32}" text-anchor="middle">registered fds</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
