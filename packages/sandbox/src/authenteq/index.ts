import type { SandboxEnv } from '../env.js';

/** Options of the Authenteq emulator. */
export interface AuthenteqSandboxOptions {
  clientID?: string;
  clientSecret?: string;
  /** Redirect URIs registered for the client, matched exactly. */
  redirectURIs?: string[];
}

/** The Authenteq Web KYC emulator, as `sandbox.authenteq`. */
export interface AuthenteqSandbox {
  clientID: string;
  clientSecret: string;
  authorizationURL: string;
  tokenURL: string;
  detailsURL: string;
}

export function mountAuthenteq(env: SandboxEnv, options: AuthenteqSandboxOptions = {}): AuthenteqSandbox {
  const base = `${env.url}/authenteq`;
  return {
    clientID: options.clientID ?? 'passport-idv-sandbox',
    clientSecret: options.clientSecret ?? 'TODO',
    authorizationURL: `${base}/authorize`,
    tokenURL: `${base}/v2/web-kyc/token`,
    detailsURL: `${base}/v2/web-kyc/details`,
  };
}
