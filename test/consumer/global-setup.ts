import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { type Consumer, type PackedPackage, run } from './consumer.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = ['core', 'authenteq', 'face-login', 'ephemeral-session', 'redis', 'sandbox'];

/**
 * Packs every package as `npm publish` would, then installs the tarballs alone into a fresh app in a temporary folder
 * outside the repository, everything else from the registry (npm's cache makes every run after the first quick).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  for (const dir of PACKAGES) {
    if (!existsSync(join(repo, 'packages', dir, 'dist', 'index.js'))) {
      throw new Error(`packages/${dir} is not built: run the suite with npm run test:consumer`);
    }
  }
  const root = mkdtempSync(join(tmpdir(), 'passport-idv-consumer-'));
  const started = performance.now();
  const tarballs = join(root, 'tarballs');
  mkdirSync(tarballs);
  const workspaces = PACKAGES.flatMap((dir) => ['--workspace', `packages/${dir}`]);
  const pack = await run('npm', ['pack', '--json', '--pack-destination', tarballs, ...workspaces], repo);
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const packed = JSON.parse(pack.stdout) as { name: string; filename: string; files: { path: string }[] }[];
  const packages: PackedPackage[] = [];
  for (const entry of packed) {
    const dir = entry.name.replace('@passport-idv/', '');
    const tarball = join(tarballs, entry.filename);
    const unpacked = join(root, 'unpacked', dir);
    mkdirSync(unpacked, { recursive: true });
    const untar = await run('tar', ['-xzf', tarball, '-C', unpacked], root);
    if (untar.code !== 0) throw new Error(`tar failed on ${entry.filename}:\n${untar.stderr}`);
    packages.push({
      name: entry.name,
      dir: `packages/${dir}`,
      tarball,
      unpacked: join(unpacked, 'package'),
      files: entry.files.map((file) => file.path).sort(),
    });
  }
  const packSeconds = (performance.now() - started) / 1000;

  const app = join(root, 'app');
  cpSync(join(repo, 'test/consumer/app'), app, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  for (const { name, tarball } of packages) manifest.dependencies[name] = `file:${tarball}`;
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app);
  if (install.code !== 0) throw new Error(`npm install failed in ${app}:\n${install.stderr}`);
  const installSeconds = (performance.now() - started) / 1000 - packSeconds;
  console.log(
    `consumer app: ${packages.length} tarballs packed in ${packSeconds.toFixed(1)} s, installed in ${installSeconds.toFixed(1)} s (${app})`,
  );

  project.provide('consumer', { repo, app, packages } satisfies Consumer);
  return () => {
    if (process.env.KEEP_CONSUMER_APP) console.log(`consumer app kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
