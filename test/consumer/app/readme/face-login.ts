// packages/face-login/README.md, "Example" and "Testing against the sandbox".
import { type Store, safeReturnTo } from '@passport-idv/core';
import {
  AliceClient,
  DeviceBinding,
  FaceLoginStrategy,
  requireFaceLogin,
  reviewEnrollment,
} from '@passport-idv/face-login';
import { sandboxMedia, startSandbox } from '@passport-idv/sandbox';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import { ensureLoggedIn, users } from './app-types.js';

declare module 'express-session' {
  interface SessionData {
    messages?: string[]; // where `failureMessage: true` puts the refusal
  }
}
declare module './app-types.js' {
  interface Users {
    enableFaceLogin(id: string): Promise<void>;
  }
}
declare const showTransfer: RequestHandler;
declare const passwordAndSecondFactor: RequestHandler;
declare function loginPage(options: { returnTo: string; message: string | undefined }): string;
declare const tokenStore: Store;
declare const store: Store;

const APP_ORIGIN = 'https://app.example';
const alice = new AliceClient({ apiKey: process.env.ALICE_API_KEY!, tokenStore }); // a RedisStore in production
const faceLogin = new FaceLoginStrategy({ client: alice, store }, async (aliceUserId) => {
  const user = await users.byAliceId(aliceUserId);
  return user?.faceLoginEnabled ? user : false; // or call done(null, user)
});
passport.use(faceLogin);
const devices = new DeviceBinding({ secret: process.env.DEVICE_SECRET!, store });

const app = express();
app.set('trust proxy', 1); // your load balancer: req.ip and req.secure must be the client's (see below)
app.use(
  session({
    secret: process.env.SESSION_SECRET!,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: 8 * 3_600_000 },
  }),
);
app.use(passport.initialize(), passport.session());
app.use(express.json(), express.urlencoded({ extended: false }));

// Your full sign-in binds this browser to the user.
app.post('/login/password', passwordAndSecondFactor, (req, res) => {
  devices.bind(req, res, req.user!.id);
  res.redirect('/account');
});

app.post('/enroll/token', ensureLoggedIn, async (req, res) => {
  res.set('cache-control', 'no-store').json({ userToken: await alice.getUserToken(req.user!.aliceUserId) });
});
app.post('/enroll/review', ensureLoggedIn, async (req, res) => {
  const outcome = await reviewEnrollment(alice, req.user!.aliceUserId); // 'authorized' | 'retry' | 'pending'
  if (outcome !== 'authorized') return res.redirect(`/enroll?reason=${outcome}`);
  await users.enableFaceLogin(req.user!.id); // what the verify above checks
  res.redirect('/account');
});

app.get('/login', (req, res) => {
  const message = req.session.messages?.pop();
  res.send(loginPage({ returnTo: safeReturnTo(req.query.returnTo, APP_ORIGIN, '/account'), message }));
});

app.post('/login/face/begin', async (req, res) => {
  const userId = req.user?.id ?? (await devices.userOf(req)); // never an email from the body
  const user = userId === undefined ? undefined : await users.find(userId);
  if (!user?.faceLoginEnabled) {
    res.status(400).json({ message: 'Face login is not set up on this browser. Sign in with your password first.' });
    return;
  }
  const { userToken } = await faceLogin.begin(req, user.aliceUserId);
  res.set('cache-control', 'no-store').json({ userToken });
});
app.post(
  '/login/face',
  (req, res, next) => {
    const returnTo = safeReturnTo(req.body?.returnTo, APP_ORIGIN, '/account');
    const failureRedirect = `/login?returnTo=${encodeURIComponent(returnTo)}`;
    passport.authenticate('face-login', { failureRedirect, failureMessage: true })(req, res, next);
  },
  (req, res) => res.redirect(safeReturnTo(req.body?.returnTo, APP_ORIGIN, '/account')),
);
app.get('/transfer', ensureLoggedIn, requireFaceLogin({ maxAge: 300, redirectTo: '/login' }), showTransfer);

app.use((error: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
  const status = typeof error.status === 'number' && error.status >= 400 ? error.status : 500;
  const message = status < 500 ? 'That request could not be read.' : 'Face login is not available. Please try again.';
  res.status(status).json({ message });
});

// DeviceBinding's other calls.
app.post('/device/forget', (req, res) => {
  devices.forget(req, res);
  res.redirect('/login');
});
await devices.revoke('u-1');

// The verify forms, with the user Passport logs in.
const user: Express.User = { id: 'u-1', aliceUserId: 'a-1' };
new FaceLoginStrategy({ client: alice }, (_aliceUserId, _result, done) => done(null, user));
new FaceLoginStrategy({ client: alice, passReqToCallback: true }, (_req, _aliceUserId, _result, done) =>
  done(null, false),
);
app.get('/after-face-login', (req, res) => {
  res.json({ liveness: req.authInfo?.faceLogin?.liveness });
});

// Testing against the sandbox.
const sandbox = await startSandbox();
const testClient = new AliceClient({ ...sandbox.alice, clock: sandbox.clock });
const { userId } = sandbox.alice.enroll(); // enrolled and authorized
const id = sandbox.alice.authenticate(userId, { live: false }); // a spoof
await testClient.getAuthentication(userId, id);
sandboxMedia({ face: 'mallory' });
