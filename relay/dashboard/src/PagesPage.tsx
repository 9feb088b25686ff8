/**
 * The hosted-page editor (`#/pages`): list the pages, create or edit one with a live preview
 * that follows the unsaved input, delete after a confirmation. Field errors come from the
 * relay's 400 `issues` and sit next to their inputs; "Saved" shows only after the relay said so.
 */
import { useEffect, useState } from 'preact/hooks';
import type { TPage, TPageConfigInput } from '../../../shared/src/pages';
import { AdminApiError, type AdminApi } from './api';
import { ConfirmDialog } from './ConfirmDialog';

type Draft = { slug: string; title: string; description: string; club_name: string; logo_url: string; accent_color: string; locale: string; photo: boolean; success_message: string; follow_up_url: string; follow_up_label: string };
const TEXT_FIELDS = ['title', 'description', 'club_name', 'logo_url', 'accent_color', 'success_message', 'follow_up_url', 'follow_up_label'] as const;
const LABELS: Record<(typeof TEXT_FIELDS)[number], string> = {
  title: 'Title', description: 'Description', club_name: 'Club name', logo_url: 'Logo URL (https)', accent_color: 'Accent colour (#rrggbb)',
  success_message: 'Thank-you message', follow_up_url: 'Follow-up link (https)', follow_up_label: 'Follow-up link text',
};
const EMPTY: Draft = { slug: '', title: '', description: '', club_name: '', logo_url: '', accent_color: '#1d4ed8', locale: 'en', photo: false, success_message: '', follow_up_url: '', follow_up_label: '' };

const toDraft = (page: TPage): Draft => ({
  ...EMPTY,
  ...Object.fromEntries(TEXT_FIELDS.map((name) => [name, page.config[name] ?? ''])),
  slug: page.slug,
  locale: page.config.locale,
  photo: page.config.fields.includes('profile_picture'),
});
/** Blank optional fields are left out (the relay refuses an empty string); settings the form doesn't show are kept. */
const toConfig = (draft: Draft, base: TPage['config'] | undefined): TPageConfigInput => {
  const config: Record<string, unknown> = { ...base, locale: draft.locale, fields: draft.photo ? ['profile_picture'] : [] };
  for (const name of TEXT_FIELDS) {
    if (draft[name].trim()) config[name] = draft[name];
    else delete config[name];
  }
  if (!draft.title.trim()) config.title = draft.title;
  return config as TPageConfigInput;
};

export function PagesPage({ api, announce, onError }: { api: AdminApi; announce(message: string): void; onError(failure: unknown): void }) {
  const [pages, setPages] = useState<TPage[] | null>(null);
  const [editing, setEditing] = useState<{ draft: Draft; original?: TPage } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [savedSlug, setSavedSlug] = useState<string | null>(null);

  const load = () => api.pages().then(setPages, onError);
  useEffect(() => void load(), [api]);

  const open = (page?: TPage) => {
    setEditing({ draft: page ? toDraft(page) : EMPTY, ...(page ? { original: page } : {}) });
    setErrors({});
    setStatus(null);
    setSavedSlug(page?.slug ?? null);
  };
  const update = (patch: Partial<Draft>) => {
    setStatus(null);
    setEditing((current) => current && { ...current, draft: { ...current.draft, ...patch } });
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!editing) return;
    const { draft, original } = editing;
    if (!draft.slug.trim()) {
      setErrors({ slug: 'Choose an address, e.g. robotics (lowercase letters, digits, dashes).' });
      setStatus('Not saved: fix the marked fields.');
      return;
    }
    setErrors({});
    setStatus('Saving…');
    try {
      const saved = await api.savePage(draft.slug.trim(), toConfig(draft, original?.config));
      setEditing({ draft: toDraft(saved), original: saved });
      setSavedSlug(saved.slug);
      setStatus(`Saved /join/${saved.slug}.`);
      announce(`Page ${saved.slug} saved.`);
      void load();
    } catch (failure) {
      setStatus(null);
      if (failure instanceof AdminApiError && failure.status === 400) {
        const found: Record<string, string> = {};
        // The slug is checked first; its issues have an empty path, like a whole-body issue.
        const bySlug = failure.message.startsWith('Invalid slug');
        for (const issue of failure.issues) found[bySlug ? 'slug' : issue.path.split('.')[0] || 'form'] ??= issue.message;
        if (!failure.issues.length) found[bySlug ? 'slug' : 'form'] = failure.message;
        setErrors(found);
        setStatus('Not saved: fix the marked fields.');
      } else onError(failure);
    }
  };

  const remove = async (slug: string) => {
    setDeleting(null);
    try {
      await api.deletePage(slug);
      announce(`Page ${slug} deleted.`);
      if (editing?.original?.slug === slug) setEditing(null);
      void load();
    } catch (failure) {
      onError(failure);
    }
  };

  return (
    <main class="pages-editor">
      <section class="card" aria-labelledby="pages-title">
        <h2 id="pages-title">Hosted pages</h2>
        {pages === null ? <p class="muted">Loading…</p> : pages.length === 0 ? <p class="muted">No page yet.</p> : (
          <ul class="page-list">
            {pages.map((page) => (
              <li key={page.slug}>
                <a href={`/join/${page.slug}`} target="_blank" rel="noopener">/join/{page.slug}</a> <span class="muted">{page.config.title}</span>
                <button type="button" class="secondary" onClick={() => open(page)} aria-label={`Edit ${page.slug}`}>Edit</button>
                <button type="button" class="secondary" onClick={() => setDeleting(page.slug)} aria-label={`Delete ${page.slug}`}>Delete</button>
              </li>
            ))}
          </ul>
        )}
        <button type="button" onClick={() => open()}>New page</button>
      </section>
      <ConfirmDialog open={deleting !== null} title={`Delete /join/${deleting ?? ''}?`} confirmLabel="Delete page" onConfirm={() => deleting && void remove(deleting)} onCancel={() => setDeleting(null)}>
        <p>Posters that point at this address will show "page not found". Signups already received are kept.</p>
      </ConfirmDialog>
      {editing && (
        <div class="editor-columns">
          <form class="card" onSubmit={save} noValidate aria-labelledby="editor-title">
            <h2 id="editor-title">{editing.original ? `Edit /join/${editing.original.slug}` : 'New page'}</h2>
            {errors.form && <p class="error" role="alert">{errors.form}</p>}
            <Field name="slug" label="Address (/join/…)" value={editing.draft.slug} error={errors.slug} readOnly={!!editing.original} onInput={(slug) => update({ slug })} />
            {TEXT_FIELDS.map((name) => (
              <Field key={name} name={name} label={LABELS[name]} value={editing.draft[name]} error={errors[name]} multiline={name === 'description'} onInput={(value) => update({ [name]: value })} />
            ))}
            <label for="page-locale">Language</label>
            <select id="page-locale" value={editing.draft.locale} onChange={(event) => update({ locale: event.currentTarget.value })}>
              <option value="en">English</option>
              <option value="es">Español</option>
              <option value="fr">Français</option>
            </select>
            <label class="check">
              <input type="checkbox" checked={editing.draft.photo} onChange={(event) => update({ photo: event.currentTarget.checked })} /> Ask for a profile photo
            </label>
            <div class="actions">
              <button type="submit">Save page</button>
              <button type="button" class="secondary" onClick={() => setEditing(null)}>Close</button>
            </div>
            <p role="status" aria-live="polite" class="muted">{status}</p>
          </form>
          <section class="card" aria-labelledby="preview-title">
            <h2 id="preview-title">Live preview</h2>
            <Preview draft={editing.draft} />
            {savedSlug && (
              // A link, not a frame: hosted pages send frame-ancestors 'none' unless the club allows a framer.
              <p>
                <a href={`/join/${savedSlug}`} target="_blank" rel="noopener">Open the saved /join/{savedSlug}</a>
              </p>
            )}
          </section>
        </div>
      )}
    </main>
  );
}

function Field(props: { name: string; label: string; value: string; error?: string | undefined; multiline?: boolean; readOnly?: boolean; onInput(value: string): void }) {
  const id = `page-${props.name}`;
  const shared = {
    id,
    value: props.value,
    readOnly: props.readOnly,
    'aria-invalid': props.error ? ('true' as const) : undefined,
    'aria-describedby': props.error ? `${id}-error` : undefined,
    onInput: (event: Event) => props.onInput((event.currentTarget as HTMLInputElement).value),
  };
  return (
    <div>
      <label for={id}>{props.label}</label>
      {props.multiline ? <textarea rows={3} {...shared} /> : <input type="text" {...shared} />}
      {props.error && <p id={`${id}-error`} class="error">{props.error}</p>}
    </div>
  );
}

/** The hosted page's look, from the unsaved draft: heading, description, accent button and the fields. */
function Preview({ draft }: { draft: Draft }) {
  const accent = /^#[0-9a-f]{6}$/i.test(draft.accent_color) ? draft.accent_color : '#1d4ed8';
  return (
    <div class="preview" data-testid="page-preview" style={{ '--page-accent': accent, '--page-on-accent': onAccent(accent) }}>
      {draft.club_name && <p class="preview-club">{draft.club_name}</p>}
      <h3 class="preview-title">{draft.title || 'Untitled page'}</h3>
      {draft.description.split(/\n\s*\n/).filter(Boolean).map((paragraph) => <p key={paragraph}>{paragraph}</p>)}
      <p class="preview-field">First name</p>
      <p class="preview-field">Last name</p>
      <p class="preview-field">Email</p>
      {draft.photo && <p class="preview-field">Profile photo</p>}
      <p class="preview-button">Sign up</p>
    </div>
  );
}

/** Black or white text on the accent, whichever contrasts more (WCAG relative luminance), as the hosted page does. */
function onAccent(hex: string): string {
  const channel = (at: number) => {
    const value = parseInt(hex.slice(at, at + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}
