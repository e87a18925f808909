// One HTTP/1.1 response from the http example, checked as it arrives in any split: a status line
// "HTTP/1.1 200 OK", well-formed headers with one Content-Length and the Connection the request asked for,
// then exactly Content-Length bytes of body ("hello\n"), none after a HEAD request.
import { CheckError, describe, type Expectation } from './byte-checker.js';

/** Longest head we accept before calling the response malformed. */
const MAX_HEAD = 8192;
const BODY = Buffer.from('hello\n');
const HEAD_END = Buffer.from('\r\n\r\n');

enum Part { HEAD, BODY, DONE }

/** A response to one request; `head` for HEAD requests (no body), `keepAlive` for the Connection we expect. */
export class HttpResponse implements Expectation {
  private part = Part.HEAD;
  private head = Buffer.alloc(0);
  private bodyLeft = 0;
  private bodyAt = 0;

  constructor(private readonly isHead: boolean, private readonly keepAlive: boolean) {}

  consume(data: Buffer, offset: number): number {
    if (this.part === Part.HEAD) {
      const before = this.head.length;
      this.head = Buffer.concat([this.head, data.subarray(offset, offset + MAX_HEAD + 4 - before)]);
      const end = this.head.indexOf(HEAD_END, Math.max(0, before - 3));
      if (end < 0) {
        if (this.head.length > MAX_HEAD) throw new CheckError(`response head over ${MAX_HEAD} bytes: ${describe(this.head.subarray(0, 32))}`, this.head.length);
        return offset + this.head.length - before;
      }
      this.parseHead(this.head.subarray(0, end).toString('latin1'));
      offset += end + 4 - before;
      this.head = Buffer.alloc(0);
      this.part = this.bodyLeft > 0 ? Part.BODY : Part.DONE;
    }
    if (this.part === Part.BODY) {
      const n = Math.min(this.bodyLeft, data.length - offset);
      const got = data.subarray(offset, offset + n);
      if (got.compare(BODY, this.bodyAt, this.bodyAt + n) !== 0) throw new CheckError(`response body ${describe(got)} is not "hello\\n"`, n);
      this.bodyAt += n;
      this.bodyLeft -= n;
      offset += n;
      if (this.bodyLeft === 0) this.part = Part.DONE;
    }
    return offset;
  }

  private parseHead(text: string): void {
    const [status, ...lines] = text.split('\r\n');
    if (status !== 'HTTP/1.1 200 OK') throw new CheckError(`status line ${JSON.stringify(status)} is not "HTTP/1.1 200 OK"`, text.length);
    const headers = new Map<string, string[]>();
    for (const line of lines) {
      const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
      if (!m) throw new CheckError(`malformed header line ${JSON.stringify(line)}`, text.length);
      const k = m[1].toLowerCase();
      headers.set(k, [...(headers.get(k) ?? []), m[2]]);
    }
    const lengths = headers.get('content-length') ?? [];
    if (lengths.length !== 1 || !/^\d+$/.test(lengths[0])) throw new CheckError(`Content-Length ${JSON.stringify(lengths)} is not one number`, text.length);
    if (Number(lengths[0]) !== BODY.length) throw new CheckError(`Content-Length ${lengths[0]} is not ${BODY.length}`, text.length);
    const connection = (headers.get('connection') ?? []).join(',').toLowerCase();
    const want = this.keepAlive ? 'keep-alive' : 'close';
    if (connection !== want) throw new CheckError(`Connection ${JSON.stringify(connection)} where ${want} was expected`, text.length);
    this.bodyLeft = this.isHead ? 0 : BODY.length;
  }

  get complete(): boolean { return this.part === Part.DONE; }
  get missing(): number {
    if (this.part === Part.DONE) return 0;
    return this.part === Part.BODY ? this.bodyLeft : Math.max(1, 64 - this.head.length) + (this.isHead ? 0 : BODY.length);
  }
}
