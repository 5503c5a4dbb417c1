/**
 * The fault matrix: every upstream call the three packages make × every way a provider fails, each driven through a
 * real Express + express-session + Passport app against the sandbox. Every cell must end with nobody logged in (and
 * nothing handed out), 502 — or 504 for a timeout — with an error code, no unhandled rejection, and within the
 * call's deadline.
 */
import { type Fault, type Sandbox, sandboxMedia, startSandbox } from '@passport-idv/sandbox';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTHENTEQ_CALLBACK_URL,
  authenteqApp,
  faceLoginApp,
  handoffApp,
  localPath,
  type RejectionWatch,
  WEB_IDV_CALLBACK_URL,
  watchRejections,
  webIdvApp,
  webIdvStrategyApp,
} from '../support/index.js';

/** The deadline of a call that hangs; small, so the matrix stays fast. */
const HANG_TIMEOUT = 300;
/** The deadline of every other call: room for two retries of a GET (100 ms base back-off), and no race with them. */
const TIMEOUT = 2_000;
/** What the app may add to a deadline (its own work, a loaded CI machine). */
const MARGIN = 1_000;

type FaultName = 'timeout' | '500' | '503' | '429' | 'malformed JSON' | 'wrong shape' | 'connection dropped';

const FAULTS: { name: FaultName; status: number; code: string }[] = [
  { name: 'timeout', status: 504, code: 'ERR_PROVIDER_TIMEOUT' },
  { name: '500', status: 502, code: 'ERR_PROVIDER_STATUS' },
  { name: '503', status: 502, code: 'ERR_PROVIDER_STATUS' },
  { name: '429', status: 502, code: 'ERR_PROVIDER_STATUS' },
  { name: 'malformed JSON', status: 502, code: 'ERR_PROVIDER_RESPONSE' },
  { name: 'wrong shape', status: 502, code: 'ERR_PROVIDER_RESPONSE' },
  { name: 'connection dropped', status: 502, code: 'ERR_PROVIDER_NETWORK' },
];

function faultFor(name: FaultName, wrongShape: unknown): Fault {
  switch (name) {
    case 'timeout':
      return { hang: true };
    case '500':
      return { status: 500 };
    case '503':
      return { status: 503 };
    case '429':
      return { status: 429 };
    case 'malformed JSON':
      return { malformed: true };
    case 'wrong shape':
      return { body: wrongShape };
    case 'connection dropped':
      return { drop: true };
  }
}

/** What one cell saw. */
interface Outcome {
  status: number;
  body: Record<string, unknown>;
  /** Whether anyone ended up logged in, or anything was handed out, because of this request. */
  granted(): Promise<boolean>;
}

/** One upstream call: the sandbox route that serves it, and the user-facing step of an app that makes it. */
interface Call {
  route: string;
  /** Which user-facing step makes the call. */
  step: string;
  /** A 200 body of the wrong shape for this call. */
  wrongShape: unknown;
  /** Faults that cannot apply: the documented answer has no body, so its content is ignored. */
  notApplicable?: FaultName[];
  /** A GET that must never be retried either: it spends a single-use code. */
  once?: boolean;
  /**
   * Prepares the flow up to the step (no fault yet), then `act()` runs the step with the fault armed by the matrix.
   */
  prepare(sandbox: Sandbox, timeout: number): Promise<{ act(): Promise<Outcome> }>;
}

type Agent = ReturnType<typeof supertest.agent>;

async function me(agent: Agent): Promise<unknown> {
  return (await agent.get('/me')).body.user ?? null;
}

/** Sign-up with Authenteq up to the callback; the fault hits the token or details call the callback makes. */
function signup(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'GET /auth/authenteq/callback',
    wrongShape,
    async prepare(sandbox, timeout) {
      const agent = supertest.agent(authenteqApp(sandbox, { timeout }).app);
      const authorize = (await agent.get('/auth/authenteq')).headers.location as string;
      const callback = localPath(await sandbox.authenteq.complete(authorize, 'adult'));
      return {
        async act() {
          const res = await agent.get(callback);
          return { status: res.status, body: res.body, granted: async () => (await me(agent)) !== null };
        },
      };
    },
  };
}

/** `begin()` of a face login: USER_TOKEN for the browser SDK, bought with a LOGIN_TOKEN. */
function faceBegin(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'POST /login/face/begin',
    wrongShape,
    async prepare(sandbox, timeout) {
      const { app } = faceLoginApp(sandbox, { client: { timeout } });
      const agent = supertest.agent(app);
      const { userId } = sandbox.alice.enroll();
      return {
        async act() {
          const res = await agent.post('/login/face/begin').send({ aliceUserId: userId });
          return {
            status: res.status,
            body: res.body,
            granted: async () => {
              if (typeof res.body.userToken === 'string') return true;
              // No attempt was opened either: a genuine authentication submitted now is refused.
              const submit = await agent
                .post('/login/face')
                .send({ authenticationId: sandbox.alice.authenticate(userId) });
              return submit.status === 200 || (await me(agent)) !== null;
            },
          };
        },
      };
    },
  };
}

/** The face-login submit: the strategy reads the authentication with a BACKEND_TOKEN_WITH_USER_ID. */
function faceSubmit(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'POST /login/face',
    wrongShape,
    async prepare(sandbox, timeout) {
      const { app } = faceLoginApp(sandbox, { client: { timeout } });
      const agent = supertest.agent(app);
      const { userId } = sandbox.alice.enroll();
      expect((await agent.post('/login/face/begin').send({ aliceUserId: userId })).status).toBe(200);
      const authenticationId = sandbox.alice.authenticate(userId);
      return {
        async act() {
          const res = await agent.post('/login/face').send({ authenticationId });
          return { status: res.status, body: res.body, granted: async () => (await me(agent)) !== null };
        },
      };
    },
  };
}

/**
 * The enrollment review (`reviewEnrollment`): report, then authorize (a live selfie) or void the selfie (a spoof).
 * Nothing is granted when the user is not authorized for face login and the app got no outcome.
 */
function review(route: string, wrongShape: unknown, spoof: boolean, notApplicable?: FaultName[]): Call {
  return {
    route,
    step: 'POST /enroll/review',
    wrongShape,
    ...(notApplicable ? { notApplicable } : {}),
    async prepare(sandbox, timeout) {
      const { app } = faceLoginApp(sandbox, { client: { timeout } });
      const media = sandboxMedia(spoof ? { live: false } : {});
      const { userId } = sandbox.alice.enroll({ media, authorize: false });
      return {
        async act() {
          const res = await supertest(app).post('/enroll/review').send({ aliceUserId: userId });
          return {
            status: res.status,
            body: res.body,
            granted: async () => res.body.outcome !== undefined || sandbox.alice.user(userId)?.authorized === true,
          };
        },
      };
    },
  };
}

/** Registration (`createUser`): a BACKEND_TOKEN, then `POST /user`. Nothing is granted when no user id comes back. */
function register(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'POST /register',
    wrongShape,
    async prepare(sandbox, timeout) {
      const { app } = faceLoginApp(sandbox, { client: { timeout } });
      return {
        async act() {
          const res = await supertest(app).post('/register').send({ email: 'ana@example.com' });
          return { status: res.status, body: res.body, granted: async () => res.body.aliceUserId !== undefined };
        },
      };
    },
  };
}

/** The phone handoff of a logged-in user: ephemeral token, then session. Nothing is granted without a handoff URL. */
function handoff(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'POST /verify/handoff',
    wrongShape,
    async prepare(sandbox, timeout) {
      const agent = supertest.agent(handoffApp(sandbox, { timeout }).app);
      expect((await agent.post('/login/user-1')).status).toBe(204);
      return {
        async act() {
          const res = await agent.post('/verify/handoff');
          return {
            status: res.status,
            body: res.body,
            granted: async () => res.body.handoffUrl !== undefined || res.body.sessionId !== undefined,
          };
        },
      };
    },
  };
}

/** The one-call deeplink start of a logged-in user. Nothing is granted without a handoff URL. */
function deeplink(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: "POST /verify/handoff (start: 'deeplink')",
    wrongShape,
    async prepare(sandbox, timeout) {
      const agent = supertest.agent(handoffApp(sandbox, { timeout, start: 'deeplink' }).app);
      expect((await agent.post('/login/user-1')).status).toBe(204);
      return {
        async act() {
          const res = await agent.post('/verify/handoff');
          return { status: res.status, body: res.body, granted: async () => res.body.handoffUrl !== undefined };
        },
      };
    },
  };
}

/** A second press: the stored session is read back before it is handed out again. Nothing is granted without it. */
function reuse(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'POST /verify/handoff (reused: read back first)',
    wrongShape,
    async prepare(sandbox, timeout) {
      const agent = supertest.agent(handoffApp(sandbox, { timeout }).app);
      expect((await agent.post('/login/user-1')).status).toBe(204);
      expect((await agent.post('/verify/handoff')).status).toBe(201);
      return {
        async act() {
          const res = await agent.post('/verify/handoff');
          return { status: res.status, body: res.body, granted: async () => res.body.handoffUrl !== undefined };
        },
      };
    },
  };
}

/** The webhook reads the session it names back; nothing is handed to the app unless that read succeeds. */
function webhook(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'POST /webhooks/idv',
    wrongShape,
    async prepare(sandbox, timeout) {
      const { app, handed } = handoffApp(sandbox, { timeout });
      const sessionId = await startedSession(app);
      sandbox.idv.completeCapture(sessionId);
      return {
        async act() {
          const res = await supertest(app).post('/webhooks/idv').send({ sessionId, status: 3 });
          return { status: res.status, body: res.body, granted: async () => handed.length > 0 };
        },
      };
    },
  };
}

/** The app reads a session back for its own page (`getSession`). Nothing is granted without an answer. */
function readBack(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'GET /verify/session/:id',
    wrongShape,
    async prepare(sandbox, timeout) {
      const { app } = handoffApp(sandbox, { timeout });
      const agent = supertest.agent(app);
      const sessionId = await startedSession(app, agent);
      return {
        async act() {
          const res = await agent.get(`/verify/session/${sessionId}`);
          return { status: res.status, body: res.body, granted: async () => res.body.session !== undefined };
        },
      };
    },
  };
}

/** Web IDV's start: the app asks for a verification URL. Nothing is granted without a redirect to one. */
function webIdvStart(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'GET /auth/idv (AuthenteqWebIdvClient)',
    wrongShape,
    async prepare(sandbox, timeout) {
      const { app } = webIdvApp(sandbox, { timeout });
      return {
        async act() {
          const res = await supertest(app).get('/auth/idv');
          return { status: res.status, body: res.body, granted: async () => res.headers.location !== undefined };
        },
      };
    },
  };
}

/** Web IDV's callback: the result is read once with the code. Nothing is granted unless the session is verified. */
function webIdvResult(route: string, wrongShape: unknown): Call {
  return {
    route,
    step: 'GET /auth/idv/callback (AuthenteqWebIdvClient)',
    wrongShape,
    once: true,
    async prepare(sandbox, timeout) {
      const { app } = webIdvApp(sandbox, { timeout });
      const agent = supertest.agent(app);
      const start = await agent.get('/auth/idv');
      const callback = localPath(await sandbox.authenteqWebIdv.complete(start.headers.location as string, 'adult'));
      return {
        async act() {
          const res = await agent.get(callback);
          return {
            status: res.status,
            body: res.body,
            granted: async () => (await agent.get('/me')).body.verified !== null,
          };
        },
      };
    },
  };
}

/**
 * Sign-up with `AuthenteqWebIdvStrategy`: the fault hits the start's `verification-url` call (nothing is granted
 * without a redirect to a verification page) or the callback's single `verification-result` call (nobody logged in).
 */
function webIdvSignup(route: string, wrongShape: unknown): Call {
  const atStart = route === 'authenteq.web_idv_url';
  return {
    route,
    step: atStart ? 'GET /auth/idv (AuthenteqWebIdvStrategy)' : 'GET /auth/idv/callback (AuthenteqWebIdvStrategy)',
    wrongShape,
    once: !atStart,
    async prepare(sandbox, timeout) {
      const agent = supertest.agent(webIdvStrategyApp(sandbox, { timeout }).app);
      if (atStart) {
        return {
          async act() {
            const res = await agent.get('/auth/idv');
            return { status: res.status, body: res.body, granted: async () => res.headers.location !== undefined };
          },
        };
      }
      const start = await agent.get('/auth/idv');
      const callback = localPath(await sandbox.authenteqWebIdv.complete(start.headers.location as string, 'adult'));
      return {
        async act() {
          const res = await agent.get(callback);
          return { status: res.status, body: res.body, granted: async () => (await me(agent)) !== null };
        },
      };
    },
  };
}

/** Logs `user-1` in and starts a session; its id. */
async function startedSession(app: Parameters<typeof supertest.agent>[0], agent = supertest.agent(app)) {
  expect((await agent.post('/login/user-1')).status).toBe(204);
  const res = await agent.post('/verify/handoff');
  expect(res.status).toBe(201);
  return res.body.sessionId as string;
}

const BODYLESS: FaultName[] = ['malformed JSON', 'wrong shape'];

const CALLS: Call[] = [
  signup('authenteq.token', { access_token: 'not-the-documented-field' }),
  signup('authenteq.details', { croppedDocs: {} }),
  faceBegin('alice.login_token', { detail: 'no token here' }),
  faceBegin('alice.user_token', { token: 42 }),
  faceSubmit('alice.backend_token_with_user_id', { token: '' }),
  faceSubmit('alice.authentication', { authentication: { authentication_id: 'x', created_at: '2026-01-01T00:00:00' } }),
  review('alice.report', { report: { version: 1 } }, false),
  review('alice.authorize', {}, false, BODYLESS),
  review('alice.void_selfie', {}, true, BODYLESS),
  register('alice.backend_token', { tokens: [] }),
  register('alice.create_user', { id: 'not-user_id' }),
  handoff('idv.ephemeral', { token: 'Token abc' }),
  handoff('idv.sessions', { session: { id: 's-1' } }),
  deeplink('idv.deeplink', { url: 'https://idv.example.com/mobile?authorization=Token%20x' }),
  reuse('idv.session', { id: 'another-session', status: 0 }),
  webhook('idv.session', { id: 'another-session', status: 3 }),
  readBack('idv.session', { status: 'finished' }),
  webIdvStart('authenteq.web_idv_url', { verificationUrl: 'javascript:alert(1)' }),
  webIdvResult('authenteq.web_idv_result', { id: 'v-1', status: 'PASSED', documentData: { documentType: 'PP' } }),
  webIdvSignup('authenteq.web_idv_url', { verificationUrl: 42 }),
  webIdvSignup('authenteq.web_idv_result', { id: 'v-1', status: 'FAILED', documentData: {} }),
];

const cells = CALLS.length * FAULTS.length;
const skipped = CALLS.flatMap((call) => (call.notApplicable ?? []).map((fault) => `${call.route} × ${fault}`));
console.log(
  `fault matrix: ${CALLS.length} calls × ${FAULTS.length} faults = ${cells} cases; ${cells - skipped.length} run, ` +
    `${skipped.length} not applicable (the documented answer has no body: ${skipped.join(', ')})`,
);

let rejections: RejectionWatch;
beforeAll(() => {
  rejections = watchRejections();
});
afterAll(async () => {
  // Let anything a failed flow left behind settle before looking.
  await new Promise((resolve) => setTimeout(resolve, 50));
  rejections.stop();
  expect(rejections.seen).toEqual([]);
});

// Every cell runs on a sandbox of its own (faults are armed per route, per sandbox), so cells run side by side.
describe.concurrent.each(CALLS)('$route ($step)', (call) => {
  const faults = FAULTS.filter((fault) => !call.notApplicable?.includes(fault.name));
  it.for(faults)('$name → $status $code, nobody logged in', async ({ name, status, code }, { expect }) => {
    const sandbox = await startSandbox({
      authenteq: { redirectURIs: [AUTHENTEQ_CALLBACK_URL] },
      authenteqWebIdv: { redirectURLs: [WEB_IDV_CALLBACK_URL] },
    });
    try {
      const timeout = name === 'timeout' ? HANG_TIMEOUT : TIMEOUT;
      const { act } = await call.prepare(sandbox, timeout);
      sandbox.requests.clear();
      sandbox.faults.inject(call.route, faultFor(name, call.wrongShape));
      const started = performance.now();
      const outcome = await act();
      const elapsed = performance.now() - started;
      sandbox.faults.clear();

      const sent = sandbox.requests.filter({ route: call.route });
      expect(sent.length).toBeGreaterThanOrEqual(1);
      // Only GETs are retried: a code exchange, a session or a user is never created twice.
      if (sent.every((request) => request.method !== 'GET')) expect(sent).toHaveLength(1);
      if (call.once) expect(sent).toHaveLength(1);
      expect({ status: outcome.status, error: outcome.body.error }).toEqual({ status, error: code });
      expect(JSON.stringify(outcome.body)).not.toMatch(/Injected fault|sandbox_fault/); // no provider internals
      expect(elapsed).toBeLessThan(timeout + MARGIN);
      if (name === 'timeout') expect(elapsed).toBeGreaterThanOrEqual(HANG_TIMEOUT - 50);
      expect(await outcome.granted()).toBe(false);
    } finally {
      await sandbox.close();
    }
  });
});
