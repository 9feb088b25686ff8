/**
 * The `window.VantioSignup(command, ...args)` API. Host pages may call it before the script has
 * loaded through the queue stub from the README; the calls queued in `VantioSignup.q` run now.
 */
import type { Captured } from './capture';
import { on } from './events';

export type Commands = Record<string, (...args: any[]) => unknown>;

/** `impression`, the same in both bundles. */
export const impressionCommand = (captured: Captured) => (callback?: (id: string | null) => void) => {
  callback?.(captured.id);
  return captured.id;
};

/** The capture bundle's commands (the signup bundle has its own `consent` and `on`, see mount.ts). */
export const captureCommands = (captured: Captured): Commands => ({
  // No argument means granted: only an explicit `false` withdraws.
  consent: (granted?: boolean) => captured.consent(granted != false),
  impression: impressionCommand(captured),
  on,
});

export function installApi(commands: Commands): void {
  const w = window as any;
  const queued: ArrayLike<unknown>[] = w.VantioSignup?.q ?? [];
  const api = (name: string, ...args: unknown[]) =>
    commands[name] ? commands[name]!(...args) : console.error('VantioSignup: unknown command', name);
  w.VantioSignup = api;
  for (const args of queued) api(...(Array.from(args) as [string]));
}
