/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * The hosted pages as Preact components, rendered to HTML on the relay: the form is there
 * before any script runs (there is none) and posts natively.
 */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { TPageConfig } from '@vantio/shared';
import { PAGE_STRINGS, type PageStrings } from './strings';
import { pageCss } from './styles';

export interface ShellProps {
  locale: TPageConfig['locale'];
  title: string;
  description?: string | undefined;
  /** The page's canonical absolute URL (og:url). */
  url?: string | undefined;
  image?: string | undefined;
  accent?: string | undefined;
  nonce: string;
  children: ComponentChildren;
}

function Shell({ locale, title, description, url, image, accent, nonce, children }: ShellProps) {
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        {description && <meta name="description" content={description} />}
        <meta property="og:type" content="website" />
        <meta property="og:title" content={title} />
        {description && <meta property="og:description" content={description} />}
        {url && <meta property="og:url" content={url} />}
        {image && <meta property="og:image" content={image} />}
        <meta name="twitter:card" content="summary" />
        <link rel="icon" href="data:," />
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: pageCss(accent) }} />
      </head>
      <body>{children}</body>
    </html>
  );
}

export function renderDocument(shell: Omit<ShellProps, 'children'>, body: ComponentChildren): string {
  return `<!doctype html>${renderToString(<Shell {...shell}>{body}</Shell>)}`;
}

function Header({ config }: { config: TPageConfig }) {
  return (
    <header>
      {config.logo_url && <img src={config.logo_url} alt={config.club_name ?? ''} width={192} height={64} />}
      {config.club_name && <p class="club">{config.club_name}</p>}
      <h1>{config.title}</h1>
    </header>
  );
}

function Paragraphs({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <>
      {text
        .split(/\n\s*\n/)
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => (
          <p>{part}</p>
        ))}
    </>
  );
}

export type FormField = 'first_name' | 'last_name' | 'email' | 'profile_picture';
export interface FormState {
  values: Partial<Record<'first_name' | 'last_name' | 'email', string>>;
  errors: Partial<Record<FormField, string>>;
  /** A message over the form (expired token, conflict, rate limit). */
  alert?: string | undefined;
}

export interface FormPageProps {
  config: TPageConfig;
  action: string;
  token: string;
  /** Carried in the form only when no cookie can hold it (the page is framed by another site). */
  impressionId?: string | undefined;
  state: FormState;
}

export function FormPage({ config, action, token, impressionId, state }: FormPageProps) {
  const t = PAGE_STRINGS[config.locale];
  const photo = config.fields.includes('profile_picture');
  const hasErrors = Object.keys(state.errors).length > 0;
  const alert = state.alert ?? (hasErrors ? t.fix : undefined);
  const text = (name: 'first_name' | 'last_name' | 'email', label: string, type: string, autocomplete: string) => {
    const error = state.errors[name];
    return (
      <div>
        <label for={name}>{label}</label>
        <input
          id={name}
          name={name}
          type={type}
          autocomplete={autocomplete}
          required
          maxLength={name === 'email' ? 254 : 100}
          value={state.values[name] ?? ''}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${name}-error` : undefined}
        />
        {error && (
          <p class="err" id={`${name}-error`}>
            {error}
          </p>
        )}
      </div>
    );
  };
  const photoError = state.errors.profile_picture;
  return (
    <>
      <Header config={config} />
      <main>
        <Paragraphs text={config.description} />
        <form method="post" action={action} enctype={photo ? 'multipart/form-data' : undefined} novalidate>
          {alert && (
            <p class="alert" role="alert">
              {alert}
            </p>
          )}
          <input type="hidden" name="form_token" value={token} />
          {impressionId && <input type="hidden" name="impression_id" value={impressionId} />}
          {text('first_name', t.first, 'text', 'given-name')}
          {text('last_name', t.last, 'text', 'family-name')}
          {text('email', t.email, 'email', 'email')}
          {photo && (
            <div>
              <label for="profile_picture">
                {t.photo} <span class="opt">({t.optional})</span>
              </label>
              <input
                id="profile_picture"
                name="profile_picture"
                type="file"
                accept="image/*"
                aria-invalid={photoError ? 'true' : undefined}
                aria-describedby={photoError ? 'profile_picture-hint profile_picture-error' : 'profile_picture-hint'}
              />
              <p class="hint" id="profile_picture-hint">
                {t.photoHint}
              </p>
              {photoError && (
                <p class="err" id="profile_picture-error">
                  {photoError}
                </p>
              )}
            </div>
          )}
          <div class="hp">
            <label for="honeypot">{t.honeypot}</label>
            <input id="honeypot" name="honeypot" type="text" tabIndex={-1} autocomplete="off" />
          </div>
          <button type="submit">{t.submit}</button>
          <p class="small">{t.privacy}</p>
        </form>
      </main>
    </>
  );
}

export function ThanksPage({ config, duplicate }: { config: TPageConfig; duplicate: boolean }) {
  const t = PAGE_STRINGS[config.locale];
  return (
    <>
      <Header config={config} />
      <main>
        <p role="status">
          <strong>{duplicate ? t.already : (config.success_message ?? t.thanks)}</strong>
        </p>
        {config.follow_up_url && (
          <p>
            <a href={config.follow_up_url}>{config.follow_up_label ?? config.follow_up_url}</a>
          </p>
        )}
      </main>
    </>
  );
}

export function MessagePage({ heading, message, config }: { heading: string; message: string; config?: TPageConfig }) {
  return (
    <>
      {config ? <Header config={config} /> : null}
      <main>
        {config ? <h2>{heading}</h2> : <h1>{heading}</h1>}
        <p>{message}</p>
      </main>
    </>
  );
}

export type { PageStrings };
