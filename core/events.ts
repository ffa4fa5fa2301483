/**
 * A typed, synchronous event bus. Modules of the core (and the dashboard)
 * subscribe to declared events instead of importing each other, as Gunyah's
 * modules subscribe to events such as "object created".
 *
 * @example
 * ```ts
 * const bus = new EventBus<{ ping: { n: number } }>();
 * const seen: number[] = [];
 * bus.on("ping", (e) => seen.push(e.n));
 * bus.emit("ping", { n: 1 });
 * ```
 *
 * @module
 */

/** A map from event name to payload type. */
export type EventMap = { [name: string]: unknown };

/** A handler of one event. */
export type Handler<P> = (payload: P) => void;

/** The bus. Handlers run in subscription order; emit does nothing when no one listens. */
export class EventBus<E extends EventMap> {
  #handlers = new Map<keyof E, Handler<never>[]>();

  /** Subscribe; returns the function that unsubscribes. */
  on<K extends keyof E>(name: K, handler: Handler<E[K]>): () => void {
    let list = this.#handlers.get(name);
    if (!list) {
      list = [];
      this.#handlers.set(name, list);
    }
    list.push(handler as Handler<never>);
    return () => {
      const l = this.#handlers.get(name);
      if (!l) return;
      const i = l.indexOf(handler as Handler<never>);
      if (i >= 0) l.splice(i, 1);
    };
  }

  /** Whether anyone listens to `name` (lets hot paths skip building payloads). */
  has<K extends keyof E>(name: K): boolean {
    const l = this.#handlers.get(name);
    return l !== undefined && l.length > 0;
  }

  /** Deliver `payload` to every handler of `name`. */
  emit<K extends keyof E>(name: K, payload: E[K]): void {
    const l = this.#handlers.get(name);
    if (!l) return;
    for (const h of l.slice()) (h as Handler<E[K]>)(payload);
  }
}
