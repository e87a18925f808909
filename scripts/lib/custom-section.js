// Custom sections our builds append to a module: a custom section may come last, after every other section, so
// appending one to the file is a valid module that the host reads back with WebAssembly.Module.customSections.
import { readFileSync, writeFileSync } from "node:fs";

/** Unsigned LEB128 of `n`. */
function leb128(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** The bytes of a custom section `name` holding `payload`: id 0, size, name, payload. */
export function customSection(name, payload) {
  const bytes = new TextEncoder().encode(name);
  const content = [...leb128(bytes.length), ...bytes, ...payload];
  return Uint8Array.from([0, ...leb128(content.length), ...content]);
}

/** Appends the custom section `name` with `payload` to the module file `path`. */
export function appendCustomSection(path, name, payload) {
  writeFileSync(path, Buffer.concat([readFileSync(path), customSection(name, payload)]));
}
