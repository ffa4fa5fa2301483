/**
 * Run first in a device plugin's Worker (the generated entry imports it
 * before anything else): take away every way to make code from a string,
 * so the only code the plugin runs is the code the host checked before it
 * started the Worker (sandbox_policy.ts). Deno's module loader does not apply
 * the Worker's `read` permission to `import()` of a `file:` URL (issue 12
 * §2: a plugin with `read: []` imported host JSON whole, and leaked the first
 * line of other files through the SyntaxError), so a dynamic import must
 * never be reachable:
 *
 * - `eval`, and the `Function`, `AsyncFunction`, `GeneratorFunction` and
 *   `AsyncGeneratorFunction` constructors throw (including through
 *   `f.constructor`); a `setTimeout` / `setInterval` with a string is refused;
 * - `Worker` is gone (a nested Worker could load any module);
 * - `Deno[Deno.internal]` is gone: its `core.evalContext` and
 *   `core.compileFunction` evaluate source text;
 * - a non-configurable flag ({@link SANDBOX_FLAG}) tells the SDK's
 *   `loadPlugin` to refuse (it is the SDK's one dynamic import).
 *
 * @module
 */

/** The global the SDK's `loadPlugin` checks: present and true inside a plugin's sandbox. */
export const SANDBOX_FLAG: unique symbol = Symbol.for("gunyah-ts.plugin-sandbox") as never;

function denied(what: string): () => never {
  return function () {
    throw new EvalError(`${what} is not allowed in a device plugin's sandbox`);
  };
}

/** Apply the lockdown to this realm (idempotent). */
export function lockdown(): void {
  const g = globalThis as unknown as Record<PropertyKey, unknown>;
  if (g[SANDBOX_FLAG] === true) return;
  const fix = (obj: object, key: PropertyKey, value: unknown) =>
    Object.defineProperty(obj, key, { value, writable: false, configurable: false });
  const constructors: [string, object][] = [
    ["new Function", Function.prototype],
    ["new AsyncFunction", Object.getPrototypeOf(async function () {})],
    ["new GeneratorFunction", Object.getPrototypeOf(function* () {})],
    ["new AsyncGeneratorFunction", Object.getPrototypeOf(async function* () {})],
  ];
  for (const [what, proto] of constructors) {
    const safe = denied(what);
    fix(safe, "prototype", proto);
    fix(proto, "constructor", safe);
  }
  fix(g, "Function", (Function.prototype as unknown as { constructor: unknown }).constructor);
  fix(g, "eval", denied("eval"));
  for (const name of ["setTimeout", "setInterval"] as const) {
    const original = globalThis[name] as unknown as (cb: unknown, ...rest: unknown[]) => number;
    fix(g, name, (cb: unknown, ...rest: unknown[]) => {
      if (typeof cb !== "function") throw new EvalError(`${name} with a string is not allowed`);
      return original(cb, ...rest);
    });
  }
  fix(g, "Worker", undefined);
  const deno = (globalThis as { Deno?: Record<PropertyKey, unknown> & { internal?: symbol } }).Deno;
  if (deno !== undefined && typeof deno.internal === "symbol") {
    delete deno[deno.internal];
    if (deno[deno.internal] !== undefined) {
      throw new Error("sandbox lockdown: Deno's internals could not be removed");
    }
  }
  fix(g, SANDBOX_FLAG, true);
}

lockdown();
