import type { SandboxEnv } from '../env.js';

/** Options of the Alice Onboarding emulator. */
export interface AliceSandboxOptions {
  apiKey?: string;
}

/** The Alice Onboarding emulator, as `sandbox.alice`. */
export interface AliceSandbox {
  apiKey: string;
  baseURL: string;
}

export function mountAlice(env: SandboxEnv, options: AliceSandboxOptions = {}): AliceSandbox {
  return { apiKey: options.apiKey ?? 'TODO', baseURL: `${env.url}/alice/onboarding` };
}
