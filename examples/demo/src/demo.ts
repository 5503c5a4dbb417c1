import { randomBytes } from 'node:crypto';
import { createApp as createFaceLogin } from '@passport-idv/example-face-login';
import { createApp as createHandoff } from '@passport-idv/example-mobile-handoff';
import { connectRedis, type RedisTarget } from '@passport-idv/example-redis-setup';
import { createApp as createSignUp } from '@passport-idv/example-signup-verified-id';
import { type Sandbox, startSandbox } from '@passport-idv/sandbox';
import { type FlowLink, landingPage } from './landing.js';
import { type Listening, listen, PortInUseError } from './listen.js';

/** Ports of the demo; `0` picks a free one (tests do). */
export interface DemoPorts {
  landing: number;
  sandbox: number;
  signup: number;
  face: number;
  handoff: number;
}

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Default: landing 3000, sandbox 4000, sign-up 3001, face 3002, handoff 3003. */
  ports?: Partial<DemoPorts>;
  /**
   * With a Redis (`{ url }`) or a Redis Cluster (`{ clusterNodes: 'host:port,…' }`), sessions and every passport-idv
   * store live there; it must answer at start-up (a `RedisSetupError` says why not).
   */
  redis?: RedisTarget;
}

/** A running demo. */
export interface RunningDemo {
  /** The landing page: the one URL to open. */
  url: string;
  urls: { signup: string; face: string; handoff: string };
  sandbox: Sandbox;
  flows: FlowLink[];
  /** Where sessions and stores live: `Redis at …`, `Redis Cluster at …`, or `in memory`. */
  storage: string;
  close(): Promise<void>;
}

export const DEFAULT_PORTS: DemoPorts = { landing: 3000, sandbox: 4000, signup: 3001, face: 3002, handoff: 3003 };
export const PORT_ENV: Record<keyof DemoPorts, string> = {
  landing: 'PORT',
  sandbox: 'SANDBOX_PORT',
  signup: 'SIGNUP_PORT',
  face: 'FACE_PORT',
  handoff: 'HANDOFF_PORT',
};

/**
 * Starts the provider sandbox, the three sample apps and a landing page linking them, each on its own port.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ ports: { landing: 0, sandbox: 0, signup: 0, face: 0, handoff: 0 } });
 * console.log(demo.url);
 * await demo.close();
 * ```
 */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const host = options.host ?? '127.0.0.1';
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const opened: Listening[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    await Promise.allSettled(opened.map((server) => server.close()));
    await Promise.allSettled(closers.map((fn) => fn()));
  };
  try {
    // Redis first: when it cannot be reached, nothing else has started.
    const redis = options.redis ? await connectRedis(options.redis) : undefined;
    if (redis) closers.push(() => redis.close());
    const stores = (app: string) => redis?.stores(app) ?? {};
    let sandbox: Sandbox;
    try {
      sandbox = await startSandbox({ port: ports.sandbox, host });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new PortInUseError('provider sandbox', ports.sandbox, PORT_ENV.sandbox);
      }
      throw error;
    }
    closers.push(() => sandbox.close());
    const sessionSecret = randomBytes(32).toString('hex');
    const webhookSecret = randomBytes(32).toString('base64url');

    const landing = await listen('landing page', host, ports.landing, PORT_ENV.landing);
    opened.push(landing);
    const signup = await listen('sign-up app', host, ports.signup, PORT_ENV.signup);
    opened.push(signup);
    const face = await listen('face-login app', host, ports.face, PORT_ENV.face);
    opened.push(face);
    const handoff = await listen('mobile-handoff app', host, ports.handoff, PORT_ENV.handoff);
    opened.push(handoff);

    // The sign-up app runs Authenteq Web IDV (the current generation); its webhook is registered on the sandbox.
    const callbackURL = `${signup.url}/auth/authenteq/callback`;
    sandbox.authenteqWebIdv.registerRedirectURL(callbackURL);
    sandbox.authenteqWebIdv.setWebhookURL(`${signup.url}/webhooks/authenteq`);
    signup.handle(
      createSignUp({
        authenteq: { ...sandbox.authenteqWebIdv, callbackURL },
        sessionSecret,
        clock: sandbox.clock,
        homeURL: landing.url,
        ...stores('signup'),
      }).app,
    );
    face.handle(
      createFaceLogin({
        alice: sandbox.alice,
        sessionSecret,
        clock: sandbox.clock,
        homeURL: landing.url,
        ...stores('face-login'),
      }).app,
    );
    handoff.handle(
      createHandoff({
        idv: { ...sandbox.idv, webhookSecret },
        sessionSecret,
        clock: sandbox.clock,
        homeURL: landing.url,
        ...stores('mobile-handoff'),
      }).app,
    );

    sandbox.idv.setWebhook(`${handoff.url}/webhooks/idv`, { secret: webhookSecret });

    const flows: FlowLink[] = [
      {
        title: 'Sign up with a verified ID',
        url: `${signup.url}/signup`,
        demonstrates:
          'AuthenteqWebIdvStrategy (Authenteq Web IDV, the current generation; AuthenteqStrategy covers Web KYC, the one before): a verification URL with a one-time state, the result read once with the code; the account opens with the name, birth date and document read from the ID and shows when the signed webhook confirmed it, or the sign-up page says why not (under age, expired document, cancelled).',
        package: '@passport-idv/authenteq',
      },
      {
        title: 'Log in with your face, then step up',
        url: face.url,
        demonstrates:
          'FaceLoginStrategy and requireFaceLogin: register, enroll a selfie, get it reviewed, log in with the face, and open a transfer page that needs a face login from the last 5 minutes. A spoof or a different person is refused.',
        package: '@passport-idv/face-login',
      },
      {
        title: 'Continue on your phone',
        url: handoff.url,
        demonstrates:
          'ephemeralSession(): the server starts a verification session with a short-lived token and shows a QR code and link that open it on a phone; the API key never leaves the server.',
        package: '@passport-idv/ephemeral-session',
      },
    ];
    const html = landingPage(flows, sandbox.url);
    landing.handle((req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET' }).end();
        return;
      }
      if (req.url !== '/' && !req.url?.startsWith('/?')) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
        'referrer-policy': 'no-referrer',
      });
      res.end(html);
    });
    return {
      url: landing.url,
      urls: { signup: signup.url, face: face.url, handoff: handoff.url },
      sandbox,
      flows,
      storage: redis?.description ?? 'in memory',
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
