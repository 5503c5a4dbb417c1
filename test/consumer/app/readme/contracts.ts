// What the published types promise beyond "it compiles": each @ts-expect-error fails the build if the types loosen.
import { AuthenteqStrategy } from '@passport-idv/authenteq';
import { AliceClient, FaceLoginStrategy } from '@passport-idv/face-login';
import type { Request } from 'express';

const authenteq = new AuthenteqStrategy(
  { clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example/cb' },
  (_profile, done) => done(null, false),
);
const faceLogin = new FaceLoginStrategy({ client: new AliceClient({ apiKey: 'k' }) }, (_id, _result, done) =>
  done(null, false),
);

// The strategies extend passport-strategy's Strategy, not `any`: unknown members are errors.
// @ts-expect-error no such member
authenteq.noSuchMember;
// @ts-expect-error no such member
faceLogin.noSuchMember;
authenteq.name satisfies string | undefined;

class Custom extends AuthenteqStrategy {
  override authenticate(req: Request): void {
    // @ts-expect-error passport-strategy's fail() wants a status
    this.fail();
    this.fail({ message: 'no' }, 403);
    super.authenticate(req);
  }
}
new Custom({ clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example/cb' }, (_profile, done) =>
  done(null, false),
);

declare const req: Request;
// req.authInfo after a sign-up or a face login.
req.authInfo?.returnTo satisfies string | undefined;
// @ts-expect-error returnTo is a string
req.authInfo?.returnTo satisfies number | undefined;
req.authInfo?.faceLogin?.matching satisfies number | undefined;

// The verify callbacks hand Passport an Express.User.
new FaceLoginStrategy({ client: new AliceClient({ apiKey: 'k' }) }, (_id, _result, done) =>
  // @ts-expect-error a user is an Express.User, not a string
  done(null, 'user-1'),
);
new AuthenteqStrategy({ clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example/cb' }, (_p, done) =>
  // @ts-expect-error a user is an Express.User, not a string
  done(null, 'user-1'),
);
