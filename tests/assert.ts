/**
 * Assertions for the test suite (JSR's `@std/assert` is not reachable here, so
 * these wrap `node:assert` with the names Deno users expect).
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Assert that `actual` deeply and strictly equals `expected`. */
export function assertEquals<T>(actual: unknown, expected: T, msg?: string): asserts actual is T {
  nodeAssert.deepStrictEqual(actual, expected, msg);
}

/** Assert that `actual` is not deeply equal to `expected`. */
export function assertNotEquals(actual: unknown, expected: unknown, msg?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, msg);
}

/** Assert that `cond` is truthy. */
export function assert(cond: unknown, msg?: string): asserts cond {
  nodeAssert.ok(cond, msg);
}

/** Assert that `actual` matches the regular expression. */
export function assertMatch(actual: string, re: RegExp, msg?: string): void {
  nodeAssert.match(actual, re, msg);
}

/** Assert that `fn` throws; optionally of class `E` with a message containing `includes`. */
export function assertThrows(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  E?: new (...args: any[]) => Error,
  includes?: string,
): Error {
  try {
    fn();
  } catch (e) {
    if (E && !(e instanceof E)) {
      throw new Error(`expected ${E.name}, got ${(e as Error)?.constructor?.name}: ${e}`);
    }
    if (includes !== undefined && !String((e as Error).message).includes(includes)) {
      throw new Error(
        `expected message to include ${JSON.stringify(includes)}, got ${
          JSON.stringify((e as Error).message)
        }`,
      );
    }
    return e as Error;
  }
  throw new Error("expected function to throw");
}

/** Async variant of {@link assertThrows}. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  E?: new (...args: any[]) => Error,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    if (E && !(e instanceof E)) {
      throw new Error(`expected ${E.name}, got ${(e as Error)?.constructor?.name}: ${e}`);
    }
    if (includes !== undefined && !String((e as Error).message).includes(includes)) {
      throw new Error(
        `expected message to include ${JSON.stringify(includes)}, got ${
          JSON.stringify((e as Error).message)
        }`,
      );
    }
    return e as Error;
  }
  throw new Error("expected promise to reject");
}
