import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDemo, startDemo } from '../src/demo.js';

// A form posted with a stale CSRF token (the page was open too long, or the session ended in another tab): each of
// the three apps answers with the same words, inside its usual header (the way back to the demo, who is signed in).
let demo: RunningDemo;
beforeAll(async () => {
  demo = await startDemo({ ports: { landing: 0, sandbox: 0, signup: 0, face: 0, handoff: 0 } });
});
afterAll(() => demo?.close());

const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Each app with a visitor signed in, and who the header then names. */
const apps: Record<string, () => Promise<{ agent: ReturnType<typeof request.agent>; who: string }>> = {
  'sign-up': async () => {
    const agent = request.agent(demo.urls.signup);
    const start = await agent.get('/auth/authenteq').expect(302);
    const callback = new URL(await demo.sandbox.authenteqWebIdv.complete(start.headers.location as string, 'adult'));
    await agent.get(`${callback.pathname}${callback.search}`).expect(302);
    return { agent, who: 'ANNA MARIA SCHMIDT' };
  },
  'face login': async () => {
    const agent = request.agent(demo.urls.face);
    const csrf = csrfIn((await agent.get('/register').expect(200)).text);
    await agent.post('/register').type('form').send({ csrf, email: 'stale@example.com' }).expect(302);
    return { agent, who: 'stale@example.com' };
  },
  'phone handoff': async () => {
    const agent = request.agent(demo.urls.handoff);
    const csrf = csrfIn((await agent.get('/').expect(200)).text);
    await agent.post('/login').type('form').send({ csrf, name: 'Stale Form' }).expect(303);
    return { agent, who: 'Stale Form' };
  },
};

describe.each(Object.entries(apps))('the %s app', (_name, signIn) => {
  it('answers a stale form with "This form has expired" in its usual header', async () => {
    const { agent, who } = await signIn();
    const res = await agent.post('/logout').type('form').send({ csrf: 'stale' }).expect(403);
    const header = /<header>([\s\S]*?)<\/header>/.exec(res.text)?.[1] ?? '';
    expect(header).toContain(`<a href="${demo.url}">← All demos</a>`);
    expect(header).toContain(who);
    expect(res.text).toContain('<h1>This form has expired</h1>');
    expect(res.text).toMatch(/<p( class="notice" role="status")?>Please go back, reload the page and try again\.<\/p>/);
  });
});
