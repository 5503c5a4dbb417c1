// packages/sandbox/README.md, "Programmatic API".
import { startSandbox } from '@passport-idv/sandbox';

const sandbox = await startSandbox({ port: 0 }); // 0 = any free port
sandbox.url.toLowerCase();
sandbox.authenteq.clientID.toLowerCase();
sandbox.alice.apiKey.toLowerCase();
sandbox.idv.workflowId.toLowerCase();
sandbox.clock.advance(16 * 60_000);
sandbox.faults.inject('authenteq.token', { status: 503, times: 1 });
sandbox.requests.count({ route: 'alice.login_token' });
await sandbox.close();
