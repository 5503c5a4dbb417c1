/**
 * Loads our packages at run time, so the harness runs (and says what is missing) while a package is not built yet.
 * The bench runs the built `dist/` of each package, as a user would.
 */
import type { Strategy } from 'passport';

/** A constructor of a Passport strategy taking `(options, verify)`. */
type StrategyConstructor = new (options: Record<string, unknown>, verify: (...args: never[]) => void) => Strategy;

/** A core `MemoryStore` as the bench uses it. */
export interface BenchMemoryStore {
  readonly size: number;
}
type MemoryStoreConstructor = new (options?: { maxEntries?: number; clock?: { now(): number } }) => BenchMemoryStore;

/** Thrown when a package the bench needs is not built or does not export what DESIGN.md names. */
export class MissingPackageError extends Error {
  override name = 'MissingPackageError';
}

async function load(specifier: string): Promise<Record<string, unknown>> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (cause) {
    throw new MissingPackageError(`${specifier} could not be loaded (${(cause as Error).message})`);
  }
}

function exported<T>(module: Record<string, unknown>, specifier: string, name: string): T {
  const value = module[name];
  if (typeof value !== 'function') throw new MissingPackageError(`${specifier} does not export ${name} yet`);
  return value as T;
}

/** `AuthenteqStrategy` from `@passport-idv/authenteq` and core's `MemoryStore`. */
export async function loadAuthenteq(): Promise<{
  AuthenteqStrategy: StrategyConstructor;
  MemoryStore: MemoryStoreConstructor;
}> {
  const authenteq = await load('@passport-idv/authenteq');
  const core = await load('@passport-idv/core');
  return {
    AuthenteqStrategy: exported(authenteq, '@passport-idv/authenteq', 'AuthenteqStrategy'),
    MemoryStore: exported(core, '@passport-idv/core', 'MemoryStore'),
  };
}

/** A face-login strategy instance as the bench uses it. */
export interface BenchFaceLoginStrategy extends Strategy {
  begin(req: unknown, aliceUserId: string): Promise<{ userToken: string }>;
}

/** `AliceClient`, `FaceLoginStrategy` and `requireFaceLogin` from `@passport-idv/face-login`. */
export async function loadFaceLogin(): Promise<{
  AliceClient: new (options: Record<string, unknown>) => object;
  FaceLoginStrategy: new (
    options: Record<string, unknown>,
    verify: (...args: never[]) => void,
  ) => BenchFaceLoginStrategy;
  requireFaceLogin: (options?: { maxAge?: number }) => (req: unknown, res: unknown, next: unknown) => void;
  MemoryStore: MemoryStoreConstructor;
}> {
  const specifier = '@passport-idv/face-login';
  const faceLogin = await load(specifier);
  const core = await load('@passport-idv/core');
  return {
    AliceClient: exported(faceLogin, specifier, 'AliceClient'),
    FaceLoginStrategy: exported(faceLogin, specifier, 'FaceLoginStrategy'),
    requireFaceLogin: exported(faceLogin, specifier, 'requireFaceLogin'),
    MemoryStore: exported(core, '@passport-idv/core', 'MemoryStore'),
  };
}
