import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALICE_SELFIE_DIAGNOSTICS, type Sandbox, sandboxMedia, startSandbox } from '../src/index.js';
import { aliceHttp, pick, video } from './alice-support.js';

// The API as Alice's current SDKs use it (Python 5.1.2, web 9.1.5): docs/providers/alice.md.
let sandbox: Sandbox;
let http: ReturnType<typeof aliceHttp>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  http = aliceHttp(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clock.reset();
  sandbox.requests.clear();
});

const ORIGIN = { origin: 'http://localhost:3002' };

describe('Alice emulator: users and /user/status', () => {
  it('creates users from a form-encoded body (the Python SDK), multipart, JSON or no body', async () => {
    const backend = await http.token('/backend_token');
    const form = new URLSearchParams({
      email: 'ana@example.com',
      first_name: 'Ana',
      last_name: 'Ruiz',
      device_platform: 'Android',
      device_platform_version: '14',
      device_model: 'Pixel 8',
    });
    const multipart = new FormData();
    multipart.append('email', 'bo@example.com');
    const bodies: [RequestInit['body'] | undefined, Record<string, string>, string | null][] = [
      [form.toString(), { 'content-type': 'application/x-www-form-urlencoded' }, 'ana@example.com'],
      [multipart, {}, 'bo@example.com'],
      [JSON.stringify({ email: 'cy@example.com' }), { 'content-type': 'application/json' }, 'cy@example.com'],
      [undefined, {}, null],
    ];
    const statuses: unknown[] = [];
    for (const [body, headers] of bodies) {
      const created = await http.call('POST', '/user', backend, { body, headers });
      expect(created.status).toBe(200);
      const { user } = await http.userTokens(pick(created.body, 'user_id') as string);
      statuses.push(pick((await http.call('GET', '/user/status', user)).body, 'user'));
    }
    expect(statuses.map((status) => pick(status, 'email'))).toEqual(bodies.map(([, , email]) => email));
    expect(statuses[0]).toMatchObject({
      first_name: 'Ana',
      last_name: 'Ruiz',
      device: { platform: 'Android', platform_version: '14', model: 'Pixel 8', agent: null, agent_version: null },
    });
    expect(statuses[3]).toMatchObject({ first_name: null, device: { platform: null } });
  });

  it('answers /user/status with the fields of the web SDK’s Status type; updated_at follows changes', async () => {
    const userId = sandbox.alice.createUser({ email: 'ana@example.com' });
    const { user, backendUser } = await http.userTokens(userId);
    const status = async () =>
      pick((await http.call('GET', '/user/status', user)).body, 'user') as Record<string, unknown>;
    const first = await status();
    expect(Object.keys(first).sort()).toEqual([
      'authorized',
      'created_at',
      'device',
      'document_limit_reached',
      'documents',
      'email',
      'first_name',
      'last_name',
      'other_trusted_documents',
      'selfie_limit_reached',
      'updated_at',
      'uploaded_documents',
      'uploaded_face',
      'user_id',
    ]);
    expect(first).toMatchObject({
      authorized: false,
      uploaded_face: false,
      selfie_limit_reached: false,
      uploaded_documents: false,
      documents: [],
      document_limit_reached: {
        driverlicense: false,
        healthinsurancecard: false,
        idcard: false,
        passport: false,
        residencepermit: false,
      },
      user_id: userId,
      email: 'ana@example.com',
    });
    expect(first.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(first.updated_at).toBe(first.created_at);
    sandbox.clock.advance(60_000);
    expect((await http.call('POST', '/user/selfie', user, { body: video() })).status).toBe(201);
    expect((await http.call('POST', '/user/authentication/enable', backendUser)).status).toBe(200);
    const later = await status();
    expect(later).toMatchObject({ authorized: true, uploaded_face: true });
    expect(Date.parse(`${later.updated_at}Z`) - Date.parse(`${first.created_at}Z`)).toBeGreaterThanOrEqual(59_000);
  });
});

describe('Alice emulator: enablement', () => {
  it('enables and disables face login at /user/authentication/enable and /disable', async () => {
    const { userId } = sandbox.alice.enroll({ authorize: false });
    const { user, backendUser } = await http.userTokens(userId);
    const authorized = async () => pick((await http.call('GET', '/user/status', user)).body, 'user.authorized');
    expect(await authorized()).toBe(false);
    expect(await http.call('POST', '/user/authentication/enable', backendUser)).toMatchObject({ status: 200 });
    expect(await authorized()).toBe(true);
    expect((await http.call('POST', '/user/authenticate', user, { body: video() })).status).toBe(200);
    expect(await http.call('POST', '/user/authentication/disable', backendUser)).toMatchObject({ status: 200 });
    expect(await authorized()).toBe(false);
    const refused = await http.call('POST', '/user/authenticate', user, { body: video() });
    expect(refused).toMatchObject({ status: 404, body: { detail: 'User authentication is not enabled' } });
    expect(sandbox.requests.filter({ route: 'alice.authorize', userId })).toMatchObject([{ status: 200 }]);
    expect(sandbox.requests.count({ route: 'alice.deauthorize', userId })).toBe(1);
  });

  it('answers 404 on the old /user/authorize and /user/deauthorize by default, and changes nothing', async () => {
    const { userId } = sandbox.alice.enroll({ authorize: false });
    const { backendUser } = await http.userTokens(userId);
    for (const path of ['/user/authorize', '/user/deauthorize']) {
      expect(await http.call('POST', path, backendUser)).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    }
    expect(sandbox.alice.user(userId)?.authorized).toBe(false);
    expect(sandbox.requests.filter({ route: 'alice.authorize_legacy' })).toMatchObject([{ status: 404 }]);
  });

  it('answers the old paths like the new ones with legacyAuthorizePaths', async () => {
    const legacy = await startSandbox({ alice: { legacyAuthorizePaths: true } });
    try {
      const legacyHttp = aliceHttp(legacy);
      const { userId } = legacy.alice.enroll({ authorize: false });
      const { backendUser, user } = await legacyHttp.userTokens(userId);
      expect((await legacyHttp.call('POST', '/user/authorize', backendUser)).status).toBe(200);
      expect(legacy.alice.user(userId)?.authorized).toBe(true);
      expect((await legacyHttp.call('POST', '/user/deauthorize', backendUser)).status).toBe(200);
      expect(legacy.alice.user(userId)?.authorized).toBe(false);
      expect((await legacyHttp.call('POST', '/user/authorize', user)).status).toBe(401);
      expect((await legacyHttp.call('POST', '/user/authentication/enable', backendUser)).status).toBe(200);
    } finally {
      await legacy.close();
    }
  });
});

describe('Alice emulator: listing authentications', () => {
  it('lists ids newest first, and pages with page, page_size (0 = all), descending True/False and a version', async () => {
    const { userId } = sandbox.alice.enroll();
    const { backendUser } = await http.userTokens(userId);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(sandbox.alice.authenticate(userId, { liveness: 60 + i }));
      sandbox.clock.advance(1_000);
    }
    ids.push(sandbox.alice.authenticate(userId)); // same second as the next one: the later one comes first
    ids.push(sandbox.alice.authenticate(userId, { live: false }));
    const newestFirst = [...ids].reverse();
    expect((await http.call('GET', '/user/authentications/ids', backendUser)).body).toEqual({
      authentication_ids: newestFirst,
    });
    const list = async (query: string, headers: Record<string, string> = {}) =>
      (await http.call('GET', `/user/authentications${query}`, backendUser, { headers })).body;
    const listed = (body: unknown) =>
      (pick(body, 'authentications') as { authentication_id: string }[]).map((a) => a.authentication_id);
    // The Python SDK's defaults: page=1&page_size=0&descending=True, header `default`.
    const python = await list('?page=1&page_size=0&descending=True', { 'alice-authentication-version': 'default' });
    expect(python).toMatchObject({ total: 5, version: 1 });
    expect(listed(python)).toEqual(newestFirst);
    expect(listed(await list('?descending=False'))).toEqual(ids);
    expect(listed(await list('?descending=false&page=2&page_size=2'))).toEqual(ids.slice(2, 4));
    expect(listed(await list('?page_size=2'))).toEqual(newestFirst.slice(0, 2));
    const v0 = await list('?page_size=1', { 'alice-authentication-version': '0' });
    expect(v0).toMatchObject({ total: 5, version: 0 });
    expect(pick(v0, 'authentications.0')).toMatchObject({
      authentication_id: newestFirst[0],
      liveness_result: { score: 0.125 },
      user_id: userId,
    });
    for (const bad of ['?descending=maybe', '?page_size=-1', '?page=1.5']) {
      expect((await http.call('GET', `/user/authentications${bad}`, backendUser)).status, bad).toBe(400);
    }
    const badVersion = await http.call('GET', '/user/authentications', backendUser, {
      headers: { 'alice-authentication-version': '2' },
    });
    expect(badVersion.status).toBe(400);
  });

  it('keeps each user’s list to that user', async () => {
    const ana = sandbox.alice.enroll();
    const bob = sandbox.alice.enroll();
    sandbox.alice.authenticate(ana.userId);
    const { backendUser } = await http.userTokens(bob.userId);
    expect((await http.call('GET', '/user/authentications/ids', backendUser)).body).toEqual({ authentication_ids: [] });
    const { user } = await http.userTokens(ana.userId);
    expect((await http.call('GET', '/user/authentications/ids', user)).status).toBe(401);
  });
});

describe('Alice emulator: the report V1 as the SDK models it', () => {
  it('lists selfies with id (≤ 36 chars), created_at, checks, liveness, voided, media, number_of_faces', async () => {
    const { userId } = sandbox.alice.enroll({ media: { liveness: 71 } });
    const { backendUser } = await http.userTokens(userId);
    const res = await http.call('GET', '/user/report', backendUser, { headers: { 'alice-report-version': 'default' } });
    const report = pick(res.body, 'report') as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual([
      'created_at',
      'documents',
      'events',
      'id',
      'other_trusted_documents',
      'selfies',
      'summary',
      'user_id',
      'version',
    ]);
    expect(report.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(report.summary).toMatchObject({
      face_liveness: 71,
      result: { selfie_security: 'ok', document_security: 'n/a', document_read: 'n/a', process_security: 'n/a' },
      sessions: 0,
      sessions_until_first_succeeded_onboarding: null,
      state: null,
    });
    const [selfie] = report.selfies as Record<string, unknown>[];
    expect(Object.keys(selfie ?? {}).sort()).toEqual([
      'checks',
      'created_at',
      'id',
      'liveness',
      'media',
      'number_of_faces',
      'voided',
    ]);
    expect(selfie).toMatchObject({ liveness: 71, voided: false, number_of_faces: 1 });
    const selfieId = String(pick(selfie, 'id'));
    expect(selfieId.length).toBeGreaterThanOrEqual(16);
    expect(selfieId.length).toBeLessThanOrEqual(36);
    expect(selfie?.checks).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'liveness', value: 71 })]));
    expect(pick(selfie, 'media.video.href')).toMatch(/\/media\/.+\/download$/);
  });

  it('deletes a selfie (DELETE /user/selfie[/{id}]): gone from the report, the user may enroll again', async () => {
    const { userId } = sandbox.alice.enroll();
    const { user, backendUser } = await http.userTokens(userId);
    const selfieIds = async () =>
      (
        (pick((await http.call('GET', '/user/report', backendUser)).body, 'report.selfies') as { id: string }[]) ?? []
      ).map((s) => s.id);
    const [first] = await selfieIds();
    expect((await http.call('DELETE', '/user/selfie', backendUser)).status).toBe(200);
    expect(await selfieIds()).toEqual([]);
    expect(pick((await http.call('GET', '/user/status', user)).body, 'user.uploaded_face')).toBe(false);
    expect((await http.call('POST', '/user/authenticate', user, { body: video() })).status).toBe(409);
    expect((await http.call('DELETE', '/user/selfie', backendUser)).status).toBe(404);
    expect((await http.call('DELETE', `/user/selfie/${first}`, backendUser)).status).toBe(404);
    expect((await http.call('POST', '/user/selfie', user, { body: video() })).status).toBe(201);
    const [second] = await selfieIds();
    expect(second).not.toBe(first);
    expect((await http.call('DELETE', `/user/selfie/${second}`, backendUser)).status).toBe(200);
    expect(await selfieIds()).toEqual([]);
    // Deleted selfies still count toward the limit [I].
    expect(sandbox.alice.user(userId)).toMatchObject({ selfieCount: 0 });
  });
});

describe('Alice emulator: captures as the web SDK sends them', () => {
  it('takes several video parts (frames) and the optional fields; refuses malformed ones with 400', async () => {
    const userId = sandbox.alice.createUser();
    const { user, backendUser } = await http.userTokens(userId);
    const frames = video(sandboxMedia(), sandboxMedia(), sandboxMedia());
    frames.append('challenge_angle', '12.5');
    expect((await http.call('POST', '/user/selfie', user, { body: frames })).status).toBe(201);
    expect(sandbox.alice.user(userId)).toMatchObject({ selfieCount: 1, selfieLiveness: 92.5 });
    expect((await http.call('POST', '/user/authentication/enable', backendUser)).status).toBe(200);
    const withFields = video();
    for (const [key, value] of [
      ['wait_for_completion', 'False'],
      ['start', '0'],
      ['duration', '1500'],
    ]) {
      withFields.append(key as string, value as string);
    }
    const auth = await http.call('POST', '/user/authenticate', user, { body: withFields });
    expect(auth.status).toBe(200);
    const stranger = await http.call('POST', '/user/authenticate', user, {
      body: video(sandboxMedia({ face: 'mallory' }), sandboxMedia()),
    });
    const id = pick(stranger.body, 'authentication_id') as string;
    expect(
      pick((await http.call('GET', `/user/authentication/${id}`, backendUser)).body, 'authentication.face_matching'),
    ).toBe(8);
    const bad: [string, string][] = [
      ['wait_for_completion', 'yes'],
      ['start', 'soon'],
      ['duration', ''],
      ['challenge_angle', 'NaN'],
    ];
    for (const [key, value] of bad) {
      const form = video();
      form.append(key, value);
      const res = await http.call('POST', '/user/authenticate', user, { body: form });
      expect(res.status, key).toBe(400);
    }
    const empty = new FormData();
    empty.append('video', new Blob([sandboxMedia()]));
    empty.append('video', new Blob([]));
    expect((await http.call('POST', '/user/authenticate', user, { body: empty })).status).toBe(400);
    expect(sandbox.alice.user(userId)?.authenticationCount).toBe(2);
  });

  it('answers 204 with x-alice-selfie-diagnostics (exposed to browsers) and stores nothing', async () => {
    const userId = sandbox.alice.createUser();
    const { user, backendUser } = await http.userTokens(userId);
    const refused = await http.call('POST', '/user/selfie', user, {
      body: video(sandboxMedia({ diagnostics: 'FaceTooFar' })),
      headers: ORIGIN,
    });
    expect(refused.status).toBe(204);
    expect(refused.body).toBe('');
    expect(refused.headers.get('x-alice-selfie-diagnostics')).toBe('FaceTooFar');
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.headers.get('access-control-expose-headers')).toContain('x-alice-selfie-diagnostics');
    expect(sandbox.alice.user(userId)).toMatchObject({ selfieCount: 0 });
    expect(pick((await http.call('GET', '/user/status', user)).body, 'user.uploaded_face')).toBe(false);

    // A marker in any frame refuses the whole capture.
    const frames = await http.call('POST', '/user/selfie', user, {
      body: video(sandboxMedia(), sandboxMedia({ diagnostics: 'FaceBlurry' })),
    });
    expect([frames.status, frames.headers.get('x-alice-selfie-diagnostics')]).toEqual([204, 'FaceBlurry']);

    expect((await http.call('POST', '/user/selfie', user, { body: video() })).status).toBe(201);
    expect((await http.call('POST', '/user/authentication/enable', backendUser)).status).toBe(200);
    const login = await http.call('POST', '/user/authenticate', user, {
      body: video(sandboxMedia({ diagnostics: 'FaceUnderexposed' })),
    });
    expect([login.status, login.headers.get('x-alice-selfie-diagnostics')]).toEqual([204, 'FaceUnderexposed']);
    expect((await http.call('GET', '/user/authentications/ids', backendUser)).body).toEqual({ authentication_ids: [] });
    expect(ALICE_SELFIE_DIAGNOSTICS).toContain('FaceTooFar');
  });

  it('answers 406 {"detail": "{\'error\': \'<code>\'}"}, which the web SDK turns into JSON, and stores nothing', async () => {
    const { userId } = sandbox.alice.enroll();
    const { user } = await http.userTokens(userId);
    const res = await http.call('POST', '/user/authenticate', user, {
      body: video(sandboxMedia({ error: 'FaceBlurry' })),
    });
    expect(res).toMatchObject({ status: 406, body: { detail: "{'error': 'FaceBlurry'}" } });
    // What the SDK does with it: swap the quotes, parse, read `error`.
    expect(JSON.parse((pick(res.body, 'detail') as string).replace(/'/g, '"')).error).toBe('FaceBlurry');
    expect(sandbox.alice.user(userId)?.authenticationCount).toBe(0);
    expect(() => sandbox.alice.authenticate(userId, { error: 'FaceBlurry' })).toThrow(/rejected/);
    expect(() => sandbox.alice.addSelfie(sandbox.alice.createUser(), { diagnostics: 'FaceTooClose' })).toThrow(
      /rejected/,
    );
    expect(() => sandboxMedia({ error: "x'y" })).toThrow(RangeError);
  });

  it('rejectNextCapture() refuses the next capture once, real video bytes included', async () => {
    const { userId } = sandbox.alice.enroll({ media: new Uint8Array(2048).fill(3) });
    const { user } = await http.userTokens(userId);
    const camera = new Uint8Array(4096).fill(9);
    sandbox.alice.rejectNextCapture({ diagnostics: 'FacePoseTooLarge' });
    const first = await http.call('POST', '/user/authenticate', user, { body: video(camera) });
    expect([first.status, first.headers.get('x-alice-selfie-diagnostics')]).toEqual([204, 'FacePoseTooLarge']);
    sandbox.alice.rejectNextCapture({ error: 'FaceTooSmall' });
    expect((await http.call('POST', '/user/authenticate', user, { body: video(camera) })).status).toBe(406);
    expect((await http.call('POST', '/user/authenticate', user, { body: video(camera) })).status).toBe(200);
    expect(() => sandbox.alice.rejectNextCapture({ error: 'a b' })).toThrow(RangeError);
  });
});

describe('Alice emulator: what the web SDK calls besides uploads', () => {
  it('answers /client/config and accepts /user/event with a USER_TOKEN, CORS included', async () => {
    const userId = sandbox.alice.createUser();
    const { user, backendUser } = await http.userTokens(userId);
    const config = await http.call('GET', '/client/config', user, { headers: ORIGIN });
    expect(config).toMatchObject({ status: 200, body: { credentials_type: 'PRODUCTION', features: [] } });
    expect(config.headers.get('access-control-allow-origin')).toBe('*');
    const event = await http.call('POST', '/user/event', user, {
      headers: { ...ORIGIN, 'content-type': 'application/json', 'x-correlation-id': crypto.randomUUID() },
      body: JSON.stringify({ event: { data: { type: 'sdk.onboarding_command_ran', version: '1' } } }),
    });
    expect(event.status).toBe(200);
    expect(event.headers.get('access-control-allow-origin')).toBe('*');
    expect((await http.call('GET', '/client/config', backendUser)).status).toBe(401);
    expect((await http.call('POST', '/user/event')).status).toBe(401);
    expect(sandbox.requests.count({ route: 'alice.user_event', credential: 'USER_TOKEN', userId })).toBe(1);
  });

  it('answers preflights for every browser endpoint with the headers the web SDK sends', async () => {
    for (const path of ['/user/status', '/user/selfie', '/user/authenticate', '/client/config', '/user/event']) {
      const pre = await fetch(`${sandbox.alice.baseURL}${path}`, {
        method: 'OPTIONS',
        headers: {
          ...ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-correlation-id,alice-user-agent',
        },
      });
      expect(pre.status, path).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      const allowed = (pre.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
      expect(allowed).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'x-correlation-id', 'alice-user-agent']),
      );
    }
    // Backend endpoints are not for browsers: no preflight answer.
    const backend = await fetch(`${sandbox.alice.baseURL}/user/authentications/ids`, { method: 'OPTIONS' });
    expect(backend.status).toBe(404);
  });

  it('names every route for faults and the request log', async () => {
    for (const route of [
      'alice.authorize',
      'alice.deauthorize',
      'alice.authorize_legacy',
      'alice.deauthorize_legacy',
      'alice.delete_selfie',
      'alice.authentication_ids',
      'alice.client_config',
      'alice.user_event',
    ]) {
      expect(sandbox.routes).toContain(route);
    }
    const { userId } = sandbox.alice.enroll();
    const { user, backendUser } = await http.userTokens(userId);
    sandbox.faults.inject('alice.authentication_ids', { status: 503, times: 1 });
    sandbox.faults.inject('alice.client_config', { status: 500, times: 1 });
    expect((await http.call('GET', '/user/authentications/ids', backendUser)).status).toBe(503);
    const faulted = await http.call('GET', '/client/config', user, { headers: ORIGIN });
    expect(faulted.status).toBe(500);
    expect(faulted.headers.get('access-control-allow-origin')).toBe('*');
    expect((await http.call('GET', '/user/authentications/ids', backendUser)).status).toBe(200);
    expect(sandbox.requests.filter({ route: 'alice.authentication_ids' }).map((r) => r.status)).toEqual([503, 200]);
  });
});
