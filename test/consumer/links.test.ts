import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { consumer } from './consumer.js';

const { repo, packages } = consumer();
const GITHUB = /^https:\/\/github\.com\/passport-idv\/passport-idv\/(?:blob|tree)\/main\/([^#?]*)(#.*)?$/;

/** Files in the repository: tracked, and new ones git does not ignore. */
const repoFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: repo })
  .toString()
  .split('\n')
  .filter((file) => file !== '' && existsSync(join(repo, file)));

/** The markdown with fenced code blocks, inline code and HTML comments blanked out (line numbers kept). */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

/** Every link target: inline links and images, reference definitions, and HTML `href`/`src`. */
function links(markdown: string): string[] {
  const text = prose(markdown);
  const found: string[] = [];
  for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push(match[1] as string);
  for (const match of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) found.push(match[1] as string);
  for (const match of text.matchAll(/\b(?:href|src)="([^"]+)"/g)) found.push(match[1] as string);
  return found;
}

/** GitHub's anchors for the headings of a markdown file. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const code = /^(```|~~~)/;
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (code.test(line)) inCode = !inCode;
    const heading = inCode ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] as string)
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/**
 * Why `target`, linked from `file`, does not resolve, or `undefined` if it does. Relative links must stay inside
 * `root` (the repository, or an unpacked package); links to this repository on GitHub must name a file in it.
 */
function broken(file: string, target: string, root: string): string | undefined {
  const github = GITHUB.exec(target);
  if (github) {
    const path = decodeURIComponent(github[1] as string).replace(/\/$/, '');
    if (!existsSync(join(repo, path))) return `${path} is not in the repository`;
    return anchorBroken(join(repo, path), github[2], repo);
  }
  if (/^(https:|mailto:)/.test(target)) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return 'only https: and mailto: links may leave the repository';
  const at = target.indexOf('#');
  const path = at === -1 ? target : target.slice(0, at);
  const hash = at === -1 ? undefined : target.slice(at);
  const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
  if (relative(root, resolved).startsWith('..')) {
    return `${path} is outside ${root === repo ? 'the repository' : 'the package'}`;
  }
  if (!existsSync(resolved)) return `${relative(root, resolved)} does not exist`;
  return anchorBroken(resolved, hash, root);
}

function anchorBroken(file: string, hash: string | undefined, root: string): string | undefined {
  if (hash === undefined || hash === '#' || !file.endsWith('.md')) return undefined;
  const anchor = decodeURIComponent(hash.slice(1));
  return anchors(readFileSync(file, 'utf8')).has(anchor)
    ? undefined
    : `no heading #${anchor} in ${relative(root, file)}`;
}

function brokenLinks(files: string[], root: string): string[] {
  return files.flatMap((file) => {
    const problems = links(readFileSync(file, 'utf8')).map((target) => [target, broken(file, target, root)]);
    return problems.filter(([, why]) => why).map(([target, why]) => `${relative(root, file)}: (${target}) ${why}`);
  });
}

test('every link in every markdown file of the repository resolves', () => {
  const markdown = repoFiles.filter((file) => file.endsWith('.md')).map((file) => join(repo, file));
  expect(markdown.length).toBeGreaterThan(10);
  expect(brokenLinks(markdown, repo)).toEqual([]);
});

test('nothing in the repository points outside it: no provider notes, design notes or machine paths', () => {
  const outside = [
    /provider-docs/,
    /DESIGN\.md/,
    /alice-(backend-authentication|face-login|current-api)|authenteq-web-(kyc|idv)\.md|idv-ephemeral|regula-idv-sessions/,
    /\/work\//,
    /\/home\/[a-z]/,
  ];
  const self = relative(repo, new URL(import.meta.url).pathname);
  const offending = repoFiles
    .filter((file) => file !== self && file !== 'package-lock.json' && !/\.(png|jpe?g|gif|ico)$/.test(file))
    .flatMap((file) => {
      const lines = readFileSync(join(repo, file), 'utf8').split('\n');
      return lines.flatMap((line, i) =>
        outside.some((re) => re.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
      );
    });
  expect(offending).toEqual([]);
});

describe.each(packages)('$name tarball', (pkg) => {
  test('every link in its markdown resolves inside the tarball or in the repository', () => {
    const markdown = pkg.files.filter((file) => file.endsWith('.md')).map((file) => join(pkg.unpacked, file));
    expect(markdown.map((file) => relative(pkg.unpacked, file))).toContain('README.md');
    expect(brokenLinks(markdown, pkg.unpacked)).toEqual([]);
  });
});
