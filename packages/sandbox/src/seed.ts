import { createHmac } from 'node:crypto';

/** Credentials derived from a seed: the same seed gives the same ones on every start. */
export interface SeededCredentials {
  authenteq: { clientID: string; clientSecret: string };
  authenteqWebIdv: { clientID: string; clientSecret: string };
  idv: { apiKey: string };
}

/**
 * The sandbox's credentials for `seed` (`startSandbox({ seed })`, the CLI's `--seed` / `SANDBOX_SEED`), shaped like the
 * random ones. Anyone who knows the seed knows them: fine for a local sandbox, never for a real provider.
 */
export function seededCredentials(seed: string): SeededCredentials {
  const derive = (label: string, bytes: number) =>
    createHmac('sha256', seed).update(`passport-idv sandbox ${label}`).digest().subarray(0, bytes);
  return {
    authenteq: {
      clientID: `sandbox-client-${derive('authenteq client id', 4).toString('hex')}`,
      clientSecret: derive('authenteq client secret', 24).toString('base64url'),
    },
    authenteqWebIdv: {
      clientID: `sandbox-web-idv-${derive('authenteq web idv client id', 4).toString('hex')}`,
      clientSecret: derive('authenteq web idv client secret', 24).toString('base64url'),
    },
    idv: { apiKey: `idv_sandbox_${derive('idv api key', 18).toString('base64url')}` },
  };
}
