import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, test } from 'vitest';
import { consumer, run } from './consumer.js';

const { repo, packages } = consumer();
const REPO_URL = 'git+https://github.com/passport-idv/passport-idv.git';

/** Every path a package.json names: exports (all conditions), main, types, bin. */
function namedFiles(manifest: Record<string, unknown>): string[] {
  const paths: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') paths.push(value);
    else if (value && typeof value === 'object') for (const inner of Object.values(value)) walk(inner);
  };
  walk(manifest.exports);
  walk(manifest.main);
  walk(manifest.types);
  walk(manifest.bin);
  return [...new Set(paths.map((path) => path.replace(/^\.\//, '')))].sort();
}

describe.each(packages)('$name', (pkg) => {
  const manifest = JSON.parse(readFileSync(join(pkg.unpacked, 'package.json'), 'utf8'));

  test('the tarball holds LICENSE, README, CHANGELOG, types and every file its package.json names', () => {
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']) {
      expect(pkg.files).toContain(file);
    }
    for (const file of namedFiles(manifest)) expect(pkg.files, `${file} is named in package.json`).toContain(file);
    expect(readFileSync(join(pkg.unpacked, 'LICENSE'), 'utf8')).toBe(readFileSync(join(repo, 'LICENSE'), 'utf8'));
    // Every module has its types; nothing but build output, docs and metadata ships.
    for (const file of pkg.files.filter((f) => f.endsWith('.js'))) {
      expect(pkg.files).toContain(file.replace(/\.js$/, '.d.ts'));
    }
    const unexpected = pkg.files.filter(
      (f) => !/^(dist\/.*\.(js|d\.ts)|docs\/.*\.md|[A-Z]+\.md|LICENSE|package\.json)$/.test(f),
    );
    expect(unexpected).toEqual([]);
  });

  test('no shipped file refers to a source map (none is emitted)', () => {
    const referring = pkg.files.filter((file) =>
      readFileSync(join(pkg.unpacked, file), 'utf8').includes('sourceMappingURL'),
    );
    expect(referring).toEqual([]);
  });

  test('publishes publicly, with its repository, license and metadata', () => {
    expect(manifest.license).toBe('MIT');
    expect(manifest.publishConfig).toEqual({ access: 'public' });
    expect(manifest.repository).toEqual({ type: 'git', url: REPO_URL, directory: pkg.dir });
    expect(manifest.homepage).toBe(`https://github.com/passport-idv/passport-idv/tree/main/${pkg.dir}#readme`);
    expect(manifest.bugs).toEqual({ url: 'https://github.com/passport-idv/passport-idv/issues' });
    expect(manifest.keywords).toContain('passport-idv');
    expect(manifest.engines).toEqual({ node: '>=20.19' });
  });

  test('peers it never imports at run time are optional', () => {
    const code = pkg.files
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(join(pkg.unpacked, file), 'utf8'))
      .join('\n');
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
      const imported = new RegExp(`(from|import|require\\()\\s*['"]${peer}['"]`).test(code);
      expect(imported, `${peer} is imported at run time`).toBe(false);
      expect(manifest.peerDependenciesMeta?.[peer]).toEqual({ optional: true });
    }
  });

  test('publint finds nothing, not even a suggestion', async () => {
    const tarball = readFileSync(pkg.tarball);
    const { messages } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      level: 'suggestion',
    });
    expect(messages.map((message) => formatMessage(message, manifest))).toEqual([]);
  });

  test('attw --profile esm-only finds no problem in the types', async () => {
    const attw = join(repo, 'node_modules/.bin/attw');
    const result = await run(attw, [pkg.tarball, '--profile', 'esm-only', '--format', 'ascii'], repo);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  test('npm publish --dry-run from the package folder: public, nothing to auto-correct', async () => {
    const result = await run('npm', ['publish', '--dry-run'], join(repo, pkg.dir));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('public access (dry-run)');
    expect(result.stdout).toContain(`+ ${pkg.name}@${manifest.version}`);
    // npm warns (and silently drops or rewrites fields) when a package.json needs "npm pkg fix"; the only warning
    // left is that a dry run is not logged in.
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('npm warn'));
    expect(warnings.filter((line) => !line.includes('requires you to be logged in'))).toEqual([]);
  });
});
