// The component path's pure parts: telling a component from a core module, where its build lives, the
// command line wasmtime gets (the narrow network flags, the addresses by environment), and clear errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.js';
import {
  COMPONENT_NETWORK_FLAGS, componentArgs, componentBindFailure, componentFor, componentPathFor, isComponent,
} from '../../dist/host/wasmtime/component.js';

const latest = { path: '/x/wasmtime', version: '49.0.3', major: 49 };

test('a component and a core module are told apart by the binary header', () => {
  assert.ok(isComponent(readFileSync(join(ROOT, 'build', 'component', 'echo.wasm'))));
  assert.not.ok(isComponent(readFileSync(join(ROOT, 'build', 'echo.wasm'))));
  assert.not.ok(isComponent(new Uint8Array([0, 0x61, 0x73])));
});

test('the component build of a module lives in component/ beside it', () => {
  assert.is(componentPathFor('/a/build/echo.wasm'), '/a/build/component/echo.wasm');
});

test('wasmtime gets the narrow network flags and the listen addresses by environment, in order', () => {
  const argv = componentArgs({ listen: ['127.0.0.1:7000', '[::1]:7001'], env: { A: 'b' }, dirs: [], module: 'c.wasm', args: ['x'] });
  assert.equal(COMPONENT_NETWORK_FLAGS, ['-S', 'inherit-network', '-S', 'udp=n', '-S', 'allow-ip-name-lookup=n']);
  assert.equal(argv, ['run', ...COMPONENT_NETWORK_FLAGS, '--env', 'LISTEN_FDS=2', '--env', 'WASMUX_LISTEN=127.0.0.1:7000,[::1]:7001', '--env', 'A=b', 'c.wasm', 'x']);
});

test('the reason of the component\'s own bind-failure line is found in its stderr', () => {
  assert.is(componentBindFailure('echo: serving\nwasmux: failed to bind 10.0.0.1:80: address-not-bindable\n'), 'address-not-bindable');
  assert.is(componentBindFailure('Error: something else'), null);
});

test('module bytes without a path cannot lead to a component build: the error says to pass a path', () => {
  const bytes = readFileSync(join(ROOT, 'build', 'echo.wasm'));
  assert.throws(() => componentFor({ bytes, name: 'module.wasm', path: null }, latest),
    (e) => /wasmtime 49\.0\.3 runs wasmux servers only as WASI 0\.2 components .*pass the module as a file path/.test(e.message));
});

test('a module whose component build is missing: the error names the file and the commands that make it', () => {
  const bytes = readFileSync(join(ROOT, 'build', 'echo.wasm'));
  assert.throws(() => componentFor({ bytes, name: 'echo.wasm', path: '/nowhere/echo.wasm' }, latest),
    (e) => e.message.includes('/nowhere/component/echo.wasm is missing: build it with npm run setup:components && npm run build:components'));
});

test('a module that makes outgoing connections: the error says wasmtime cannot limit its addresses, and what runs it', () => {
  const bytes = readFileSync(join(ROOT, 'build', 'proxy.wasm'));
  assert.throws(() => componentFor({ bytes, name: 'proxy.wasm', path: join(ROOT, 'build', 'proxy.wasm') }, latest),
    (e) => /'proxy\.wasm' makes outgoing connections, and wasmtime \S+ cannot limit them to addresses \(its -S inherit-network grants every address\); run it with --host node and --allow-connect rules, or grant every address with --allow-connect any$/.test(e.message));
});

test('with connectAny (--allow-connect any) a module that makes outgoing connections gets its component build', () => {
  const path = join(ROOT, 'build', 'proxy.wasm');
  assert.is(componentFor({ bytes: readFileSync(path), name: 'proxy.wasm', path }, latest, true), join(ROOT, 'build', 'component', 'proxy.wasm'));
});

test('with connectAny the component may look names up; without, it may not', () => {
  const base = { listen: [], env: {}, dirs: [], module: 'm.wasm', args: [] };
  assert.ok(componentArgs({ ...base, connectAny: true }).join(' ').includes('-S allow-ip-name-lookup=y'));
  assert.ok(componentArgs(base).join(' ').includes('-S allow-ip-name-lookup=n'));
});

test('a component that makes outgoing connections, given as the module itself, is refused the same way', () => {
  const path = join(ROOT, 'build', 'component', 'fetch.wasm');
  assert.throws(() => componentFor({ bytes: readFileSync(path), name: 'fetch.wasm', path }, latest),
    (e) => /'fetch\.wasm' makes outgoing connections, and wasmtime \S+ cannot limit them/.test(e.message));
});

test('a component that only serves (echo) is not taken for one that connects', () => {
  const path = join(ROOT, 'build', 'component', 'echo.wasm');
  assert.is(componentFor({ bytes: readFileSync(path), name: 'echo.wasm', path }, latest), path);
});

test.run();
