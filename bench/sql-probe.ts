import pg from 'pg';

export interface ObservedStatement {
  text: string;
  /** The prepared statement's name, for the repositories' named statements. */
  name: string | undefined;
  milliseconds: number;
}

type QueryMethod = (this: pg.Client, ...args: unknown[]) => unknown;

/**
 * Reports every statement any `pg` client of this process sends (MikroORM's pool, raw pools, the
 * repositories' clients all go through `Client.prototype.query`), with its round-trip time, until
 * the returned function is called. Bench only: it wraps the prototype, src stays untouched.
 */
export function observeStatements(onStatement: (statement: ObservedStatement) => void): () => void {
  const prototype = pg.Client.prototype as unknown as { query: QueryMethod };
  const original = prototype.query;
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [config] = args;
    const described = typeof config === 'object' && config !== null ? (config as { text?: unknown; name?: unknown }) : {};
    const text = typeof config === 'string' ? config : typeof described.text === 'string' ? described.text : '(submittable)';
    const name = typeof described.name === 'string' ? described.name : undefined;
    const started = performance.now();
    let reported = false;
    const done = () => {
      if (reported) return;
      reported = true;
      onStatement({ text, name, milliseconds: performance.now() - started });
    };
    // pg-pool's `pool.query` passes a callback; everything else here awaits the returned promise.
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (...results: unknown[]) => {
        done();
        return (callback as (...values: unknown[]) => unknown)(...results);
      };
    }
    const result = original.apply(this, args);
    if (result instanceof Promise) result.then(done, done);
    else if (typeof callback !== 'function') done();
    return result;
  };
  return () => {
    prototype.query = original;
  };
}
