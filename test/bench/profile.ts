/**
 * `--profile`: warms up the sign-up app of our strategy and of the reference, then profiles each over a window of load
 * (V8's CPU profiler, started and stopped in the app over `node:inspector`, so the warm-up is left out), and prints
 * where the CPU time of each app process went: self time by package, inclusive time of each package (its own code
 * and everything it called), and the hottest functions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSandbox } from '@passport-idv/sandbox';
import type { Child } from './child.js';
import { CookieJar, runLoad } from './driver.js';
import { faceLogin, startFaceApp } from './face-bench.js';
import { fixed, heading, table } from './report.js';
import type { SignupVariant } from './signup-apps.js';
import { type SignupSettings, signupFlow, startProvider, startSignupApp } from './signup-bench.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package (or runtime bucket) a frame belongs to. */
export function bucket(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const ours = /\/packages\/([^/]+)\//.exec(url);
  if (ours) return `@passport-idv/${ours[1]}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 14).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/')[0] ?? url;
  if (url.includes('/test/')) return 'bench app';
  return url;
}

/** Summarises one `.cpuprofile`. */
export function summarise(profile: CpuProfile, label: string, flows: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const hot = new Map<string, number>();
  const oursInclusive = new Map<string, number>();
  const underOurs = new Map<string, number>();
  let total = 0;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    total += ms;
    const own = bucket(node.callFrame);
    if (own === '(idle)') return;
    busy += ms;
    self.set(own, (self.get(own) ?? 0) + ms);
    const where = describe(node.callFrame);
    hot.set(where, (hot.get(where) ?? 0) + ms);
    const seen = new Set<string>();
    const ourFrames = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) continue;
      const name = bucket(frame.callFrame);
      seen.add(name);
      if (name.startsWith('@passport-idv/')) ourFrames.add(describe(frame.callFrame));
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    for (const name of ourFrames) oursInclusive.set(name, (oursInclusive.get(name) ?? 0) + ms);
    if (ourFrames.size > 0) underOurs.set(where, (underOurs.get(where) ?? 0) + ms);
  });
  const pct = (ms: number) => `${fixed((ms / busy) * 100, 1)}%`;
  const perFlow = (ms: number) => fixed((ms * 1000) / flows, 0);
  const top = (map: Map<string, number>, n: number) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    heading(
      `profile: ${label}: ${fixed(busy, 0)} ms busy of ${fixed(total, 0)} ms sampled, ${fixed((busy * 1000) / flows, 0)} µs per iteration (a sign-up flow or a face login)`,
    ),
    table([
      ['self time by package', 'µs/iter', 'share'],
      ...top(self, 14).map(([name, ms]) => [name, perFlow(ms), pct(ms)]),
    ]),
    '',
    table([
      ['inclusive time (package + what it called)', 'µs/iter', 'share'],
      ...top(inclusive, 30)
        .filter(([name]) => !name.startsWith('(') && !name.startsWith('node:'))
        .slice(0, 12)
        .map(([name, ms]) => [name, perFlow(ms), pct(ms)]),
    ]),
    '',
    table([
      ['hottest functions (self)', 'µs/iter', 'share'],
      ...top(hot, 20).map(([name, ms]) => [name, perFlow(ms), pct(ms)]),
    ]),
    ...(oursInclusive.size === 0
      ? []
      : [
          '',
          table([
            ['@passport-idv functions (inclusive)', 'µs/iter', 'share'],
            ...top(oursInclusive, 20).map(([name, ms]) => [name, perFlow(ms), pct(ms)]),
          ]),
          '',
          table([
            ['what runs under @passport-idv frames (self)', 'µs/iter', 'share'],
            ...top(underOurs, 20).map(([name, ms]) => [name, perFlow(ms), pct(ms)]),
          ]),
        ]),
  ].join('\n');
}

function describe(frame: ProfileNode['callFrame']): string {
  const { functionName, url, lineNumber } = frame;
  return `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
}

function shortUrl(url: string): string {
  const cut = url.search(/\/(packages|node_modules|test)\//);
  return cut >= 0 ? url.slice(cut + 1) : url.replace(/^file:\/\//, '');
}

/** Warms one app up, profiles it over a window of load and summarises the profile. */
async function profileApp(
  label: string,
  start: () => Promise<{ child: Child; url: string }>,
  iterationFor: (url: string) => (vu: number) => Promise<true | string>,
  settings: SignupSettings,
  log: (line: string) => void,
  keepDir?: string,
): Promise<string> {
  try {
    const app = await start();
    const iteration = iterationFor(app.url);
    await runLoad({ concurrency: settings.concurrency, total: settings.warmupFlows, iteration });
    await app.child.ask('profile-start');
    const result = await runLoad({ concurrency: settings.concurrency, durationMs: settings.windowMs, iteration });
    const { profile } = await app.child.ask<{ profile: CpuProfile }>('profile-stop');
    await app.child.close();
    log(`  ${label}: ${result.ok} profiled after ${settings.warmupFlows} of warm-up`);
    if (keepDir !== undefined) {
      mkdirSync(keepDir, { recursive: true });
      const kept = path.join(keepDir, `${label.replace(/[^A-Za-z0-9-]+/g, '-')}.cpuprofile`);
      writeFileSync(kept, JSON.stringify(profile));
      log(`  kept ${kept}`);
    }
    return summarise(profile, `${label}, ${result.ok} iterations`, result.ok);
  } catch (error) {
    return `${label}: ${(error as Error).message}`;
  }
}

/**
 * Profiles the sign-up app of each of `variants` and, with `face`, the face-login app under logins; returns the
 * printed summaries (figures per flow, or per login).
 */
export async function runProfile(
  settings: SignupSettings,
  variants: readonly SignupVariant[],
  face: boolean,
  log: (line: string) => void,
  keepDir?: string,
): Promise<string> {
  const out: string[] = [];
  const jars = Array.from({ length: settings.concurrency }, () => new CookieJar());
  if (variants.length > 0) {
    const provider = await startProvider();
    try {
      for (const variant of variants) {
        out.push(
          await profileApp(
            `sign-up ${variant}`,
            () => startSignupApp({ kind: 'signup', variant, providerURL: provider.url }),
            (url) => (vu) => signupFlow(url, jars[vu] as CookieJar),
            settings,
            log,
            keepDir,
          ),
        );
      }
    } finally {
      await provider.child.close();
    }
  }
  if (face) {
    const sandbox = await startSandbox();
    try {
      const users = jars.map((_, i) => sandbox.alice.enroll({ email: `profile${i}@example.com` }).userId);
      out.push(
        await profileApp(
          'face login',
          () => startFaceApp(sandbox),
          (url) => (vu) => faceLogin(sandbox, url, jars[vu] as CookieJar, users[vu] as string),
          settings,
          log,
          keepDir,
        ),
      );
    } finally {
      await sandbox.close();
    }
  }
  return out.join('\n');
}
