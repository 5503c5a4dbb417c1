/** How many sessions an express-session `MemoryStore` holds and their total size as JSON. */
import type session from 'express-session';

/** Counts the sessions of `store` and the bytes of their JSON. */
export function sessionStats(store: session.MemoryStore): Promise<{ sessions: number; sessionBytes: number }> {
  return new Promise((resolve, reject) => {
    store.all((error, all) => {
      if (error) return reject(error);
      const values = Object.values(all ?? {});
      let sessionBytes = 0;
      for (const value of values) sessionBytes += JSON.stringify(value).length;
      resolve({ sessions: values.length, sessionBytes });
    });
  });
}
