/**
 * Every word the form shows, in English, Spanish and French. Each can be overridden (data-strings,
 * or `strings` when mounting). Rare rule failures (too long, control characters) share `invalid`.
 */
const en = {
  first: 'First name',
  last: 'Last name',
  email: 'Email',
  photo: 'Photo URL',
  optional: 'optional',
  submit: 'Sign up',
  sending: 'Sending…',
  required: 'This is required.',
  invalid_email: 'Enter a valid email.',
  invalid_url: 'Enter a link starting with https://',
  invalid: 'Please check this.',
  fix: 'Please fix the marked fields.',
  done: 'Thanks, {name}! You’re signed up.',
  saved: 'You’re offline. Your signup is saved and will be sent automatically.',
  savedTab: 'You’re offline. Keep this page open to send it automatically.',
  error: 'Something went wrong. Please try again.',
  none: 'To sign up, scan the QR code on a club poster.',
};

export type Strings = typeof en;

const es: Strings = {
  first: 'Nombre',
  last: 'Apellidos',
  email: 'Correo electrónico',
  photo: 'URL de la foto',
  optional: 'opcional',
  submit: 'Inscribirme',
  sending: 'Enviando…',
  required: 'Campo obligatorio.',
  invalid_email: 'Escribe un correo válido.',
  invalid_url: 'Escribe un enlace con https://',
  invalid: 'Revisa este campo.',
  fix: 'Corrige los campos marcados.',
  done: '¡Gracias, {name}! Te has inscrito.',
  saved: 'Sin conexión. Tu inscripción está guardada y se enviará sola.',
  savedTab: 'Sin conexión. Deja esta página abierta para enviarla sola.',
  error: 'Algo ha fallado. Inténtalo de nuevo.',
  none: 'Para inscribirte, escanea el código QR de un cartel del club.',
};

const fr: Strings = {
  first: 'Prénom',
  last: 'Nom',
  email: 'E-mail',
  photo: 'URL de la photo',
  optional: 'facultatif',
  submit: 'S’inscrire',
  sending: 'Envoi…',
  required: 'Champ obligatoire.',
  invalid_email: 'Saisissez un e-mail valide.',
  invalid_url: 'Saisissez un lien en https://',
  invalid: 'Vérifiez ce champ.',
  fix: 'Corrigez les champs signalés.',
  done: 'Merci, {name}\u00a0! Vous êtes inscrit·e.',
  saved: 'Hors ligne. Votre inscription est enregistrée et partira toute seule.',
  savedTab: 'Hors ligne. Gardez cette page ouverte pour l’envoyer automatiquement.',
  error: 'Une erreur est survenue. Veuillez réessayer.',
  none: 'Pour vous inscrire, scannez le QR code d’une affiche du club.',
};

const LOCALES: Record<string, Strings> = { en, es, fr };

/** The built-in locale for a tag such as `es-MX` or the browser's language; English otherwise. */
export function localeOf(requested?: string): string {
  const code = (requested || navigator.language || '').slice(0, 2).toLowerCase();
  return LOCALES[code] ? code : 'en';
}

/** A built-in locale's strings with overrides applied. */
export function stringsFor(locale: string, overrides?: Partial<Strings>): Strings {
  return { ...LOCALES[locale]!, ...overrides };
}
