/**
 * `npm run emulator`: the Vantio emulator on its own.
 * EMULATOR_PORT (default 4010), EMULATOR_HOST (default 127.0.0.1),
 * EMULATOR_SECRET_KEY (default sk_test_sandbox).
 */
import { startEmulator } from './app';

const SANDBOX_SECRET_KEY = 'sk_test_sandbox';

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 4010;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`EMULATOR_PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

async function main(): Promise<void> {
  const port = readPort(process.env.EMULATOR_PORT);
  const host = process.env.EMULATOR_HOST || '127.0.0.1';
  const secretKey = process.env.EMULATOR_SECRET_KEY || SANDBOX_SECRET_KEY;

  const emulator = await startEmulator({ secretKey, port, host });
  // Only the public sandbox key may appear in logs; a custom one stays a shell variable.
  const shownKey = secretKey === SANDBOX_SECRET_KEY ? SANDBOX_SECRET_KEY : '$EMULATOR_SECRET_KEY';
  const example = JSON.stringify({
    impression_id: 'imp_demo_1',
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: 'ada@example.com',
  });
  console.log(`vantio emulator listening on ${emulator.url}`);
  console.log(
    `try: curl -X POST ${emulator.url}/api/v1/referrals -H "Authorization: Bearer ${shownKey}" ` +
      `-H "Content-Type: application/json" -d '${example}'`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, shutting down`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('error while closing the emulator:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`vantio emulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
