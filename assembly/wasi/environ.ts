import { environ_get, environ_sizes_get } from "./imports";
import { outA, outB } from "./scratch";

/** Value of the environment variable `name`, or null when unset. Reads the environment afresh. */
export function getenv(name: string): string | null {
  if (environ_sizes_get(outA(), outB()) != 0) return null;
  const count = load<u32>(outA());
  const size = load<u32>(outB());
  if (count == 0) return null;
  const ptrs = heap.alloc(<usize>count * 4);
  const buf = heap.alloc(<usize>size + 1);
  let result: string | null = null;
  if (environ_get(ptrs, buf) == 0) {
    const prefix = name + "=";
    for (let i: u32 = 0; i < count; i++) {
      const entry = load<u32>(ptrs + <usize>i * 4);
      let len: usize = 0;
      while (load<u8>(<usize>entry + len) != 0) len++;
      const s = String.UTF8.decodeUnsafe(<usize>entry, len);
      if (s.startsWith(prefix)) { result = s.substring(prefix.length); break; }
    }
  }
  heap.free(buf);
  heap.free(ptrs);
  return result;
}
