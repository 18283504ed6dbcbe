import { LUA_CONSTANTS } from './contract';

/**
 * How a named argument travels in ARGV and what the script sees:
 * - `string`: as is;
 * - `number`: a number (`tonumber`);
 * - `flag`: a boolean, sent as `1` or `0`;
 * - `optional`: a string or, when absent, nil; sent as `''` when absent, else
 *   `=` and the value (so an empty value is not an absent one).
 */
export type ArgKind = 'string' | 'number' | 'flag' | 'optional';

interface ArgValues {
  string: string;
  number: number;
  flag: boolean;
  optional: string | undefined;
}

/** The named arguments of a script, by name, in the order they were declared. */
export type ArgSpec = Readonly<Record<string, ArgKind>>;

/** The values a call passes for a script's named arguments. */
export type ScriptArgs<A extends ArgSpec> = { [K in keyof A]: ArgValues[A[K]] };

/** What a script's ARGV holds. */
export type Argv = (string | number)[];

/**
 * One Lua script of the store with its calling convention. ARGV is the key
 * prefix, then the named arguments in their declared order, then the
 * script's documented tail (if it has one). Its Lua text starts with a
 * header that declares the contract's constants (`contract.ts`), `P` (the
 * prefix), each named argument as a local of its name, and `TAIL` (the index
 * of the tail's first argument).
 *
 * @example
 * const HOLD = luaScript('hold', { node: 'string', delta: 'number' }, `return delta`);
 * // HOLD.lua: local OK = 'ok' … local P = ARGV[1] / local node = ARGV[2] / local delta = tonumber(ARGV[3]) / local TAIL = 4 …
 * HOLD.argv('presently:f2:', { node: 'n1', delta: -1 }); // ['presently:f2:', 'n1', -1]
 */
export interface LuaScript<A extends ArgSpec> {
  /** The command's name on the Redis client. */
  readonly name: string;
  readonly lua: string;
  /** ARGV for one call. */
  argv(prefix: string, args: ScriptArgs<A>, tail?: readonly (string | number)[]): Argv;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A Lua literal of a contract constant (short codes and numbers only). */
function literal(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a Lua number: ${value}`);
    return String(value);
  }
  if (!/^[A-Za-z0-9_.:-]*$/.test(value)) throw new Error(`not a plain code: ${value}`);
  return `'${value}'`;
}

const CONSTANTS = Object.entries(LUA_CONSTANTS)
  .map(([name, value]) => `local ${name} = ${literal(value)}`)
  .join('\n');

/** The Lua expression of ARGV[i] as an argument of that kind. */
function bind(kind: ArgKind, i: number): string {
  switch (kind) {
    case 'string':
      return `ARGV[${i}]`;
    case 'number':
      return `tonumber(ARGV[${i}])`;
    case 'flag':
      return `ARGV[${i}] == '1'`;
    case 'optional':
      return `ARGV[${i}] ~= '' and string.sub(ARGV[${i}], 2) or nil`;
  }
}

function encode(kind: ArgKind, value: string | number | boolean | undefined): string | number {
  switch (kind) {
    case 'flag':
      return value ? '1' : '0';
    case 'optional':
      return value === undefined ? '' : `=${String(value)}`;
    default:
      return value as string | number;
  }
}

/** Declares a script: its command name, its named arguments in ARGV order, and its Lua body. */
export function luaScript<const A extends ArgSpec>(name: string, args: A, body: string): LuaScript<A> {
  const names = Object.keys(args);
  for (const arg of names) if (!NAME.test(arg) || arg in LUA_CONSTANTS || arg === 'P' || arg === 'TAIL') throw new Error(`bad argument name: ${arg}`);
  const header = [CONSTANTS, 'local P = ARGV[1]', ...names.map((arg, i) => `local ${arg} = ${bind(args[arg], i + 2)}`), `local TAIL = ${names.length + 2}`];
  return {
    name,
    lua: `${header.join('\n')}\n${body}`,
    argv: (prefix, values, tail = []) => [prefix, ...names.map((arg) => encode(args[arg], values[arg])), ...tail],
  };
}
