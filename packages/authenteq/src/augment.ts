// `req.authInfo` is typed by @types/passport as an empty `Express.AuthInfo` for strategies to extend.

declare global {
  namespace Express {
    interface AuthInfo {
      /**
       * `@passport-idv/authenteq`: the `returnTo` given when the sign-up started, if it was a same-origin path
       * (see `AuthenteqAuthInfo`).
       */
      returnTo?: string | undefined;
    }
  }
}

export {};
