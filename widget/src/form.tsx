/**
 * The signup form. It validates with the shared field rules before anything is sent, hands
 * the fields to `send` (the outbox) and follows that submission through the window events the
 * outbox emits, so a submission finished after a reload updates the form too.
 *
 * No hooks, to fit the budget: the state lives in this closure and every change re-renders
 * with Preact's synchronous `render`, after which focus can be moved at once.
 */
import { Fragment, h, render } from 'preact';
import { checkSignupFields, type SignupFields } from '@vantio/shared/rules';
import { on } from './events';
import type { PhotoField } from './photo';
import type { PhotoChunk } from './mount';
import type { Strings } from './strings';

type FieldName = keyof SignupFields | 'profile_picture';
/** Numbers, in this order, so the tests of phase are short comparisons (the bundle is at its budget). */
const IDLE = 0;
const SENDING = 1;
const QUEUED = 2;
const DONE = 3;
type Phase = typeof IDLE | typeof SENDING | typeof QUEUED | typeof DONE;
/** Where `update` moves the focus afterwards: the first marked field, or the status line. */
const FOCUS_FIELD = 1;
const FOCUS_STATUS = 2;
/** Per field, the key of its message in Strings: a rule code, or `invalid`. */
type FieldErrors = Partial<Record<FieldName, string>>;

const FIELDS: FieldName[] = ['first_name', 'last_name', 'email', 'profile_picture'];
const TRAP = 'vantio-extra';

export interface FormProps {
  t: Strings;
  hasImpression: boolean;
  /** Shows the optional photo field: loads its chunk (mount.ts). */
  photo?: (() => Promise<PhotoChunk>) | undefined;
  /** A standing note above the form (e.g. storage is blocked), or ''. */
  notice?: string;
  /** The next step after a signup: a message, a link (checked http(s)) or both, the link then named by the message. */
  success?: { message?: string | undefined; url?: string | undefined };
  /** Queues a checked submission, with the photo (base64 JPEG) if one was chosen; returns its Idempotency-Key. */
  send(fields: SignupFields, trap: string, fillMs: number, picture?: string): string;
  /** Submissions an earlier visit left in the outbox, with the first name they carry. */
  waiting: { key: string; name: string }[];
}

/** Renders the form into `container`; returns the function that removes it. */
export function renderForm(container: Element, { t, hasImpression, photo, notice, success = {}, send, waiting }: FormProps): () => void {
  let phase: Phase = waiting.length ? QUEUED : IDLE;
  let status = waiting.length ? t.saved : '';
  let errors: FieldErrors = {};
  let tried = false;
  let focusStatusWhenSettled = false;
  let name = waiting[0]?.name ?? '';
  const keys = new Set(waiting.map((w) => w.key));
  // Fill time runs from the first input (a keystroke, or autofill filling every field at
  // once), not from when the form appeared: a person whose browser autofills and who taps at
  // once is not a bot. A script that sets values without events sends 0.
  let firstInput = 0;
  const form = () => container.querySelector('form')!;
  // The photo field appears once its chunk has loaded; if it cannot load, the form works without it.
  let photoField: PhotoField | undefined;
  photo?.().then(
    (chunk) => container.isConnected && ((photoField = chunk.createPhotoField(h, t, paint)), paint()),
    () => {},
  );

  const update = (next: { phase?: Phase; status?: string; errors?: FieldErrors }, focus?: typeof FOCUS_FIELD | typeof FOCUS_STATUS | false | 0) => {
    ({ phase = phase, status = status, errors = errors } = next); // what `next` leaves out stays
    paint();
    if (focus == FOCUS_FIELD) {
      (form().elements.namedItem(FIELDS.find((field) => errors[field])!) as HTMLElement | null)?.focus();
    } else if (focus) {
      container.querySelector<HTMLElement>('.s')!.focus();
    }
  };

  /** The typed fields and the honeypot's value (under its own name), as text. */
  const read = () => {
    const data = new FormData(form());
    return Object.fromEntries([...FIELDS.slice(0, 3), TRAP].map((field) => [field, String(data.get(field) ?? '')])) as Record<keyof SignupFields | typeof TRAP, string>;
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (phase) return; // one submission at a time, however often Enter is pressed
    tried = true;
    const fields = read();
    const fieldErrors = checkSignupFields(fields);
    if (Object.keys(fieldErrors).length) return update({ errors: fieldErrors, status: t.fix }, FOCUS_FIELD);
    name = fields.first_name.trim();
    focusStatusWhenSettled = true;
    update({ phase: SENDING, status: t.sending, errors: {} });
    const fillMs = firstInput && Date.now() - firstInput;
    // Removed while the photo was being prepared (the teardown empties `offs`): a torn-down form sends nothing.
    const go = (picture?: string) => offs[0] && keys.add(send(fields, fields[TRAP], fillMs, picture));
    // A photo still being prepared goes with the submission once ready; an unusable one stops it.
    if (!photoField) go();
    else photoField.picture().then(go, () => update({ phase: IDLE, status: t.fix, errors: { profile_picture: 'invalid' } }, FOCUS_FIELD));
  };

  // After a failed attempt the messages follow the typing, so a fixed field clears at once.
  const onInput = () => {
    firstInput ||= Date.now();
    if (tried && !phase) update({ errors: checkSignupFields(read()) });
  };

  // Only ever to queued or done: the status then takes the focus if the person submitted here.
  const settle = (next: { phase: Phase; status: string }) => update(next, focusStatusWhenSettled && FOCUS_STATUS);

  const mine = (listener: (detail: any) => void) => (detail: any) => keys.has(detail.key) && listener(detail);
  // The photo had to be left out (the relay takes none): say so after the status.
  const lost = (detail: any) => photoField?.lost(detail) ?? '';
  const offs = [
    on('success', mine((detail) => settle({ phase: DONE, status: t.done.replace('{name}', name) + lost(detail) }))),
    // Rate limited: still sending as far as the person can tell, the outbox waits for Retry-After.
    on('queued', mine((detail) =>
      detail.reason != 'rate_limited' && settle({ phase: QUEUED, status: (detail.stored ? t.saved : t.savedTab) + lost(detail) }),
    )),
    on('error', mine((detail) => {
      // This submission is over; a corrected one goes out with a new key.
      const fieldErrors: FieldErrors = {};
      for (const issue of detail.issues ?? []) {
        if (FIELDS.includes(issue.path)) fieldErrors[issue.path as FieldName] = 'invalid';
      }
      // The photo field shows its own words for a refused picture.
      if (fieldErrors.profile_picture) photoField?.refuse();
      const invalid = Object.keys(fieldErrors).length;
      // 403 is the relay refusing this page's origin: say so, never "saved" or "offline".
      const message = invalid ? t.fix : detail.status == 403 ? t.refused : t.error;
      update({ phase: IDLE, errors: fieldErrors, status: message }, invalid && FOCUS_FIELD);
    })),
  ];

  const field = (id: FieldName, label: string, type: string, autoComplete: string) => {
    const error = errors[id];
    return (
      <div>
        <label for={id}>
          {label}
        </label>
        <input
          id={id}
          name={id}
          type={type}
          autocomplete={autoComplete}
          spellcheck={false}
          required
          aria-invalid={(error && 'true') as 'true' | undefined /* never '': a message key */}
          aria-describedby={error && id + '-error'}
        />
        {error && (
          <p id={id + '-error'} class="x">
            {t[error as keyof Strings] ?? t.invalid}
          </p>
        )}
      </div>
    );
  };

  // The confirmation: a check (styles.ts), the thanks with the name in the live region, the next step.
  const nextStep = () =>
    success.url ? (
      <a class="n" href={success.url}>
        {success.message || success.url}
      </a>
    ) : (
      success.message && <p>{success.message}</p>
    );

  const paint = () =>
    render(
      <>
        {!hasImpression ? (
          <p>{t.none}</p>
        ) : (
          phase < QUEUED && (
            <form noValidate onSubmit={onSubmit} onInput={onInput}>
              {notice && <p>{notice}</p>}
              {field('first_name', t.first, 'text', 'given-name')}
              {field('last_name', t.last, 'text', 'family-name')}
              {field('email', t.email, 'email', 'email')}
              {photoField?.view()}
              <div class="h" aria-hidden="true">
                {/* Hidden from people and assistive technology alike, so not translated. */}
                <label for={TRAP}>Leave empty</label>
                <input id={TRAP} name={TRAP} tabIndex={-1} autocomplete="off" />
              </div>
              <button aria-disabled={phase == SENDING ? 'true' : undefined}>{t.submit}</button>
            </form>
          )
        )}
        {/* The one live region, present from the start so every change is announced. */}
        <p class={phase == DONE ? 's t' : 's'} role="status" tabIndex={-1}>
          {status}
        </p>
        {phase == DONE && nextStep()}
      </>,
      container,
    );

  paint();
  return () => {
    offs.splice(0).forEach((off) => off());
    render(null, container);
  };
}
