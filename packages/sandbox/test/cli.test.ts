import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { exportLines } from '../src/cli-options.js';
import { startSandbox } from '../src/index.js';

// The CLI runs as users run it: the built bin (`npm test` builds first; alone, `npm run build` first).
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface Running {
  child: ChildProcess;
  output: string;
  url: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: Running[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.child.kill('SIGKILL');
    await cli.exit;
  }
});

/** The environment of a child: this one, without the variables the CLI reads. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { PORT: _port, SANDBOX_PORT: _sandboxPort, SANDBOX_SEED: _seed, ...rest } = process.env;
  return { ...rest, ...extra };
}

function run(args: string[], extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

/** Starts the CLI and resolves once it has printed everything. */
async function start(args: string[], extra: Record<string, string> = {}): Promise<Running> {
  const cli = run(args, extra);
  const output = await new Promise<string>((resolve, reject) => {
    cli.child.stdout!.on('data', () => {
      if (cli.stdout().includes('Ctrl-C stops it.')) resolve(cli.stdout());
    });
    void cli.exit.then(({ code }) => reject(new Error(`exited (${code}): ${cli.stdout()}${cli.stderr()}`)));
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
  const started = { child: cli.child, output, url, exit: cli.exit };
  running.push(started);
  return started;
}

/** What a POSIX shell gets from the `export` lines. */
function exported(output: string): Record<string, string> {
  const lines = output.split('\n').filter((line) => line.startsWith('export '));
  const names = lines.map((line) => /^export ([A-Z_]+)=/.exec(line)![1]!);
  const script = `${lines.join('\n')}\n${names.map((name) => `printf '%s=%s\\n' ${name} "$${name}"`).join('\n')}`;
  const printed = execFileSync('sh', ['-c', script], { env: {} }).toString();
  return Object.fromEntries(
    printed
      .trim()
      .split('\n')
      .map((line) => [line.split('=')[0], line.slice(line.indexOf('=') + 1)]),
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('passport-idv-sandbox CLI', () => {
  it('listens on SANDBOX_PORT and ignores PORT (the landing page’s)', async () => {
    const [sandboxPort, landingPort] = [await freePort(), await freePort()];
    const cli = await start([], { SANDBOX_PORT: String(sandboxPort), PORT: String(landingPort) });
    expect(cli.url).toBe(`http://127.0.0.1:${sandboxPort}`);
    const other = await start(['--port', '0'], { SANDBOX_PORT: String(sandboxPort) });
    expect(other.url).not.toBe(cli.url); // --port wins
  });

  it('says which variable is wrong, and which to set when the port is taken', async () => {
    const bad = run([], { SANDBOX_PORT: 'abc' });
    expect(await bad.exit).toMatchObject({ code: 2 });
    expect(bad.stderr()).toContain('SANDBOX_PORT must be a port number');
    const cli = await start(['--port', '0']);
    const taken = run(['--port', new URL(cli.url).port]);
    expect(await taken.exit).toMatchObject({ code: 1 });
    expect(taken.stderr()).toMatch(/already in use: pass another one with --port or SANDBOX_PORT/);
    const badURL = run(['--redirect-uri', '/callback']);
    expect(await badURL.exit).toMatchObject({ code: 2 });
  });

  it('prints every credential as lines a shell can export, and they work against it', async () => {
    const callback = 'http://127.0.0.1:3001/auth/idv/callback';
    const hook = 'http://127.0.0.1:3001/webhooks/authenteq';
    const cli = await start(['--port', '0', '--redirect-uri', callback, '--webhook-url', hook]);
    const vars = exported(cli.output);
    expect(Object.keys(vars)).toEqual([
      'AUTHENTEQ_CLIENT_ID',
      'AUTHENTEQ_CLIENT_SECRET',
      'AUTHENTEQ_AUTHORIZATION_URL',
      'AUTHENTEQ_TOKEN_URL',
      'AUTHENTEQ_DETAILS_URL',
      'AUTHENTEQ_WEB_IDV_CLIENT_ID',
      'AUTHENTEQ_WEB_IDV_CLIENT_SECRET',
      'AUTHENTEQ_WEB_IDV_BASE_URL',
      'ALICE_API_KEY',
      'ALICE_BASE_URL',
      'IDV_HOST',
      'IDV_API_KEY',
      'IDV_WORKFLOW_ID',
    ]);
    expect(vars.AUTHENTEQ_WEB_IDV_BASE_URL).toBe(`${cli.url}/authenteq-web-idv`);
    expect(cli.output).toContain(`webhookURL         ${hook}`);
    expect(cli.output).toContain(`${cli.url}/authenteq/dashboard`);
    // --redirect-uri registers the URL for Web KYC and Web IDV
    const verification = await fetch(
      `${vars.AUTHENTEQ_WEB_IDV_BASE_URL}/web-idv/verification-url?${new URLSearchParams({ redirectUrl: callback })}`,
      { headers: { authorization: basic(vars.AUTHENTEQ_WEB_IDV_CLIENT_ID!, vars.AUTHENTEQ_WEB_IDV_CLIENT_SECRET!) } },
    );
    expect(verification.status).toBe(200);
    const authorize = new URL(vars.AUTHENTEQ_AUTHORIZATION_URL!);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: vars.AUTHENTEQ_CLIENT_ID!,
      redirect_uri: callback,
      state: 's',
    }).toString();
    expect((await fetch(authorize)).status).toBe(200);
    const login = await fetch(`${vars.ALICE_BASE_URL}/login_token`, { headers: { apikey: vars.ALICE_API_KEY! } });
    expect(login.status).toBe(200);
  });

  it('keeps the credentials across starts with --seed or SANDBOX_SEED, and draws new ones without', async () => {
    const [port1, port2] = [await freePort(), await freePort()];
    const first = exported((await start(['--port', String(port1), '--seed', 'dev'])).output);
    const second = exported((await start([], { SANDBOX_PORT: String(port2), SANDBOX_SEED: 'dev' })).output);
    const secrets = ['AUTHENTEQ_CLIENT_ID', 'AUTHENTEQ_CLIENT_SECRET', 'AUTHENTEQ_WEB_IDV_CLIENT_ID'] as const;
    for (const name of [...secrets, 'AUTHENTEQ_WEB_IDV_CLIENT_SECRET', 'IDV_API_KEY']) {
      expect(second[name]).toBe(first[name]);
    }
    const other = exported((await start(['--port', '0', '--seed', 'other'])).output);
    const random = exported((await start(['--port', '0'])).output);
    for (const name of secrets) {
      expect(other[name]).not.toBe(first[name]);
      expect(random[name]).not.toBe(first[name]);
    }
  });

  it('stops cleanly on SIGTERM as soon as it has printed its credentials', async () => {
    const cli = await start(['--port', '0']);
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    await expect(fetch(cli.url)).rejects.toThrow();
  });
});

describe('export lines', () => {
  it('quote any value for a POSIX shell', async () => {
    const sandbox = await startSandbox({ authenteq: { clientSecret: `it's "$HOME" \`x\` \\` } });
    try {
      const printed = exported(exportLines(sandbox).join('\n'));
      expect(printed.AUTHENTEQ_CLIENT_SECRET).toBe(`it's "$HOME" \`x\` \\`);
    } finally {
      await sandbox.close();
    }
  });
});
