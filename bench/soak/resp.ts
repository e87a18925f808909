// The RESP2 the kv traffic speaks, built by hand so that every byte sent and expected is known exactly.

/** A command as a RESP array of bulk strings. */
export function command(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A bulk string reply ($-1 for null). */
export function bulk(value: Buffer | null): Buffer {
  if (value === null) return Buffer.from('$-1\r\n');
  return Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')]);
}

export const OK = Buffer.from('+OK\r\n');

/** An integer reply. */
export function integer(n: number): Buffer { return Buffer.from(`:${n}\r\n`); }
