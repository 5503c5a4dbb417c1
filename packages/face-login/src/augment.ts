// `req.authInfo` is typed by @types/passport as an empty `Express.AuthInfo` for strategies to extend.
import type { FaceLoginResult } from './options.js';

declare global {
  namespace Express {
    interface AuthInfo {
      /** `@passport-idv/face-login`: the face login that just succeeded. */
      faceLogin?: FaceLoginResult | undefined;
    }
  }
}
