// The WASI 0.2 functions the component backend calls, as the canonical ABI lowers them into a core module:
// resources are i32 handles, `self` comes first, and a result too large for one value is written to a
// return area whose address is the last parameter. Declared here, and only here; the return-area layouts
// are read through the helpers at the end. The version is the one the pinned wasmtime's WIT offers; a
// wasmtime with a newer 0.2.x serves this one too.

// ---- wasi:sockets ----

// @ts-ignore: decorator
@external("wasi:sockets/instance-network@0.2.12", "instance-network")
export declare function instance_network(): i32;

// @ts-ignore: decorator
@external("wasi:sockets/network@0.2.12", "[resource-drop]network")
export declare function drop_network(network: i32): void;

/** create-tcp-socket(address-family) -> result<tcp-socket, error-code> */
// @ts-ignore: decorator
@external("wasi:sockets/tcp-create-socket@0.2.12", "create-tcp-socket")
export declare function create_tcp_socket(family: i32, ret: usize): void;

/**
 * start-bind(network, ip-socket-address) -> result<_, error-code>. The address variant is flattened
 * to its case and eleven i32 slots (the IPv6 case's width): see address-slots.ts.
 */
// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.start-bind")
export declare function tcp_start_bind(self: i32, network: i32, tag: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, a4: i32, a5: i32, a6: i32, a7: i32, a8: i32, a9: i32, a10: i32, ret: usize): void;

/** start-connect(network, ip-socket-address) -> result<_, error-code>; the address flattened as for start-bind. */
// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.start-connect")
export declare function tcp_start_connect(self: i32, network: i32, tag: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, a4: i32, a5: i32, a6: i32, a7: i32, a8: i32, a9: i32, a10: i32, ret: usize): void;

/** finish-connect() -> result<tuple<input-stream, output-stream>, error-code> */
// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.finish-connect")
export declare function tcp_finish_connect(self: i32, ret: usize): void;

// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.finish-bind")
export declare function tcp_finish_bind(self: i32, ret: usize): void;

// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.start-listen")
export declare function tcp_start_listen(self: i32, ret: usize): void;

// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.finish-listen")
export declare function tcp_finish_listen(self: i32, ret: usize): void;

/** accept() -> result<tuple<tcp-socket, input-stream, output-stream>, error-code> */
// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.accept")
export declare function tcp_accept(self: i32, ret: usize): void;

/** local-address() -> result<ip-socket-address, error-code> */
// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.local-address")
export declare function tcp_local_address(self: i32, ret: usize): void;

/** remote-address() -> result<ip-socket-address, error-code> */
// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.remote-address")
export declare function tcp_remote_address(self: i32, ret: usize): void;

// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.subscribe")
export declare function tcp_subscribe(self: i32): i32;

/** shutdown(shutdown-type: 0 receive, 1 send, 2 both) -> result<_, error-code> */
// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.shutdown")
export declare function tcp_shutdown(self: i32, how: i32, ret: usize): void;

// @ts-ignore: decorator
@external("wasi:sockets/tcp@0.2.12", "[resource-drop]tcp-socket")
export declare function drop_tcp_socket(self: i32): void;

/** resolve-addresses(network, name) -> result<resolve-address-stream, error-code> */
// @ts-ignore: decorator
@external("wasi:sockets/ip-name-lookup@0.2.12", "resolve-addresses")
export declare function resolve_addresses(network: i32, name: usize, nameLen: usize, ret: usize): void;

/** resolve-next-address() -> result<option<ip-address>, error-code> (payload at 2: see nextAddressAt). */
// @ts-ignore: decorator
@external("wasi:sockets/ip-name-lookup@0.2.12", "[method]resolve-address-stream.resolve-next-address")
export declare function resolve_next_address(self: i32, ret: usize): void;

// @ts-ignore: decorator
@external("wasi:sockets/ip-name-lookup@0.2.12", "[method]resolve-address-stream.subscribe")
export declare function resolve_subscribe(self: i32): i32;

// @ts-ignore: decorator
@external("wasi:sockets/ip-name-lookup@0.2.12", "[resource-drop]resolve-address-stream")
export declare function drop_resolve_stream(self: i32): void;

// ---- wasi:io ----

/** read(len) -> result<list<u8>, stream-error>; the list is placed by cabi_realloc. */
// @ts-ignore: decorator
@external("wasi:io/streams@0.2.12", "[method]input-stream.read")
export declare function input_read(self: i32, len: u64, ret: usize): void;

// @ts-ignore: decorator
@external("wasi:io/streams@0.2.12", "[method]input-stream.subscribe")
export declare function input_subscribe(self: i32): i32;

// @ts-ignore: decorator
@external("wasi:io/streams@0.2.12", "[resource-drop]input-stream")
export declare function drop_input_stream(self: i32): void;

/** check-write() -> result<u64, stream-error> */
// @ts-ignore: decorator
@external("wasi:io/streams@0.2.12", "[method]output-stream.check-write")
export declare function output_check_write(self: i32, ret: usize): void;

/** write(list<u8>) -> result<_, stream-error> */
// @ts-ignore: decorator
@external("wasi:io/streams@0.2.12", "[method]output-stream.write")
export declare function output_write(self: i32, ptr: usize, len: usize, ret: usize): void;

// @ts-ignore: decorator
@external("wasi:io/streams@0.2.12", "[method]output-stream.subscribe")
export declare function output_subscribe(self: i32): i32;

// @ts-ignore: decorator
@external("wasi:io/streams@0.2.12", "[resource-drop]output-stream")
export declare function drop_output_stream(self: i32): void;

// @ts-ignore: decorator
@external("wasi:io/error@0.2.12", "[resource-drop]error")
export declare function drop_error(self: i32): void;

/** poll(list<borrow<pollable>>) -> list<u32>: the indices of the ready pollables, at least one. */
// @ts-ignore: decorator
@external("wasi:io/poll@0.2.12", "poll")
export declare function poll(ptr: usize, len: usize, ret: usize): void;

// @ts-ignore: decorator
@external("wasi:io/poll@0.2.12", "[resource-drop]pollable")
export declare function drop_pollable(self: i32): void;

// ---- wasi:clocks ----

/** A pollable that becomes ready `ns` nanoseconds from now. */
// @ts-ignore: decorator
@external("wasi:clocks/monotonic-clock@0.2.12", "subscribe-duration")
export declare function subscribe_duration(ns: u64): i32;

// ---- return areas ----

/** ip-address-family */
export const FAMILY_IPV4: i32 = 0;
export const FAMILY_IPV6: i32 = 1;
/** shutdown-type */
export const SHUTDOWN_RECEIVE: i32 = 0;
export const SHUTDOWN_SEND: i32 = 1;
export const SHUTDOWN_BOTH: i32 = 2;

/** Large enough for every return area above (the biggest: result<ip-socket-address, _>, 36 bytes). */
export const RET_AREA_SIZE: usize = 40;

/** result<..>: 0 ok, 1 err, in the first byte of every return area. */
// @ts-ignore: decorator
@inline export function isErr(ret: usize): bool { return load<u8>(ret) != 0; }
/** The error-code of a result<T, error-code> whose payload is 4-aligned (handles, tuples, addresses). */
// @ts-ignore: decorator
@inline export function errorCodeAt4(ret: usize): u8 { return load<u8>(ret, 4); }
/** The error-code of a result<_, error-code> (nothing to align: it sits right after the tag). */
// @ts-ignore: decorator
@inline export function errorCodeAt1(ret: usize): u8 { return load<u8>(ret, 1); }
/** The i-th handle of an ok payload that starts at 4 (a resource, or a tuple of them). */
// @ts-ignore: decorator
@inline export function handleAt(ret: usize, i: i32): i32 { return load<i32>(ret + 4 + <usize>i * 4); }

/**
 * A stream-error inside a result at `payload` (4 for read and write, 8 for check-write): true when the
 * stream is closed; false when the last operation failed, whose error resource is dropped here.
 */
export function streamErrorIsClosed(ret: usize, payload: usize): bool {
  if (load<u8>(ret + payload) == 1) return true;
  drop_error(load<i32>(ret + payload + 4));
  return false;
}

/** Blocks on one pollable (a socket's bind, listen or name lookup in progress), then drops it. */
export function waitFor(p: i32): void {
  store<i32>(RET + 8, p);
  poll(RET + 8, 1, RET);
  heap.free(load<usize>(RET)); // the ready list: one index, nothing to read
  drop_pollable(p);
}

/** The one return area: the core is single-threaded and reads each result before the next call. */
// @ts-ignore: decorator
@lazy export const RET: usize = heap.alloc(RET_AREA_SIZE);
