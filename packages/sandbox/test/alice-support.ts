import { expect } from 'vitest';
import { type Sandbox, sandboxMedia } from '../src/index.js';

/** An answer of the emulator: status, headers and the body (parsed JSON, else the text). */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Reads `a.b.0.c` out of a JSON body. */
export function pick(body: unknown, path: string): unknown {
  let value = body;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** A multipart body with one `video` part per media (several = the web SDK's frames mode). */
export function video(...media: Uint8Array[]): FormData {
  const form = new FormData();
  for (const item of media.length > 0 ? media : [sandboxMedia()]) form.append('video', new Blob([item]), 'selfie.mp4');
  return form;
}

/** HTTP helpers against `sandbox.alice`: raw calls, and the token endpoints as a client uses them. */
export function aliceHttp(sandbox: Sandbox) {
  async function call(
    method: string,
    path: string,
    token?: string,
    init: { headers?: Record<string, string>; body?: RequestInit['body'] } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${sandbox.alice.baseURL}${path}`, { method, headers, body: init.body });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body };
  }

  async function loginToken(): Promise<string> {
    const res = await call('GET', '/login_token', undefined, { headers: { apikey: sandbox.alice.apiKey } });
    expect(res.status).toBe(200);
    return pick(res.body, 'token') as string;
  }

  /** A token from `path` (e.g. `/user_token/<id>`), bought with `login` or a fresh LOGIN_TOKEN. */
  async function token(path: string, login?: string): Promise<string> {
    const res = await call('GET', path, login ?? (await loginToken()));
    expect(res.status).toBe(200);
    return pick(res.body, 'token') as string;
  }

  /** The USER_TOKEN and BACKEND_TOKEN_WITH_USER_ID of `userId`. */
  async function userTokens(userId: string): Promise<{ user: string; backendUser: string }> {
    const login = await loginToken();
    return {
      user: await token(`/user_token/${userId}`, login),
      backendUser: await token(`/backend_token/${userId}`, login),
    };
  }

  return { call, loginToken, token, userTokens };
}
