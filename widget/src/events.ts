/** Events to the host page: `CustomEvent`s on `window` named `vantio-signup:<name>`. */
export type EventName = 'ready' | 'submit' | 'success' | 'queued' | 'error';

export const EVENT_PREFIX = 'vantio-signup:';

export function emit(name: EventName, detail: object): void {
  dispatchEvent(new CustomEvent(EVENT_PREFIX + name, { detail }));
}

/** Subscribes to one widget event; returns the unsubscribe function. */
export function on(name: EventName, listener: (detail: any) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent).detail);
  addEventListener(EVENT_PREFIX + name, handler);
  return () => removeEventListener(EVENT_PREFIX + name, handler);
}
