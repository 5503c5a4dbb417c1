import type { SandboxEnv } from '../env.js';

/** Options of the IDV platform emulator. */
export interface IdvSandboxOptions {
  apiKey?: string;
  workflowId?: string;
}

/** The IDV platform emulator, as `sandbox.idv`. */
export interface IdvSandbox {
  host: string;
  apiKey: string;
  workflowId: string;
}

export function mountIdv(env: SandboxEnv, options: IdvSandboxOptions = {}): IdvSandbox {
  return { host: `${env.url}/idv`, apiKey: options.apiKey ?? 'TODO', workflowId: options.workflowId ?? 'TODO' };
}
