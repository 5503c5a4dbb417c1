import { execFile } from 'node:child_process';
import { inject } from 'vitest';

/** One packed package, as the global setup made it. */
export interface PackedPackage {
  /** `@passport-idv/core` */
  name: string;
  /** `packages/core`, relative to the repository. */
  dir: string;
  /** The tarball's absolute path. */
  tarball: string;
  /** The tarball unpacked: its `package/` folder. */
  unpacked: string;
  /** Every path in the tarball, relative to `package/`. */
  files: string[];
}

export interface Consumer {
  /** The repository's root. */
  repo: string;
  /** The fresh app (outside the repository) that installed the tarballs. */
  app: string;
  packages: PackedPackage[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    consumer: Consumer;
  }
}

export const consumer = (): Consumer => inject('consumer');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * What the monorepo's own `npm run` tells its children about this project: a child npm would take the monorepo for
 * its project. The user's npm configuration (registry, cache, proxy, CA) is kept.
 */
const PROJECT_VARIABLES =
  /^(INIT_CWD|npm_command|npm_package_.*|npm_lifecycle_.*|npm_config_(local_prefix|workspaces?|call))$/i;

/** Runs a command, resolving with its exit code and output (never rejecting). */
export function run(command: string, args: string[], cwd: string, timeout = 120_000): Promise<RunResult> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !PROJECT_VARIABLES.test(key)));
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
