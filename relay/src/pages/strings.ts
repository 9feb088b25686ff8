/**
 * Every visible word of the hosted pages, in English, Spanish and French (the page's
 * `locale`). Field labels match the widget's, so a person sees the same form everywhere.
 */
import type { TPageConfig } from '@vantio/shared';

const en = {
  first: 'First name',
  last: 'Last name',
  email: 'Email',
  photo: 'Photo',
  photoHint: 'A picture of you, from your camera or gallery.',
  optional: 'optional',
  submit: 'Sign up',
  honeypot: 'Leave this field empty',
  fix: 'Please fix the marked fields.',
  required: 'This is required.',
  invalid_email: 'Enter a valid email.',
  invalid: 'Please check this.',
  photoRefused: 'This file is not a picture we can use. Choose a photo (JPEG, PNG, WebP or HEIF).',
  photoTooBig: 'This picture is too large. Choose a smaller one.',
  expired: 'This form is too old. We reloaded it: please send it again.',
  conflict: 'This form was already sent with other details. Please fill in the new form.',
  thanksTitle: 'You’re signed up',
  thanks: 'Thanks! You’re signed up.',
  already: 'You were already signed up. Nothing changed.',
  scanTitle: 'Scan the poster',
  scan: 'To sign up, scan the QR code on one of the club’s posters with your phone’s camera.',
  notFoundTitle: 'Page not found',
  notFound: 'There is no signup page at this address. Check the link, or scan the club’s poster again.',
  tooMany: 'Too many attempts from this network. Wait a minute, then send the form again.',
  privacy: 'Your details go to the club’s ambassador programme and nowhere else.',
};

export type PageStrings = typeof en;

const es: PageStrings = {
  first: 'Nombre',
  last: 'Apellidos',
  email: 'Correo electrónico',
  photo: 'Foto',
  photoHint: 'Una foto tuya, de la cámara o de la galería.',
  optional: 'opcional',
  submit: 'Inscribirme',
  honeypot: 'Deja este campo vacío',
  fix: 'Corrige los campos marcados.',
  required: 'Campo obligatorio.',
  invalid_email: 'Escribe un correo válido.',
  invalid: 'Revisa este campo.',
  photoRefused: 'Este archivo no es una imagen válida. Elige una foto (JPEG, PNG, WebP o HEIF).',
  photoTooBig: 'La imagen es demasiado grande. Elige una más pequeña.',
  expired: 'Este formulario es demasiado antiguo. Lo hemos recargado: envíalo de nuevo.',
  conflict: 'Este formulario ya se envió con otros datos. Rellena el formulario nuevo.',
  thanksTitle: 'Te has inscrito',
  thanks: '¡Gracias! Te has inscrito.',
  already: 'Ya estabas inscrito. No ha cambiado nada.',
  scanTitle: 'Escanea el cartel',
  scan: 'Para inscribirte, escanea con la cámara del móvil el código QR de uno de los carteles del club.',
  notFoundTitle: 'Página no encontrada',
  notFound: 'No hay ninguna página de inscripción en esta dirección. Revisa el enlace o vuelve a escanear el cartel.',
  tooMany: 'Demasiados intentos desde esta red. Espera un minuto y vuelve a enviar el formulario.',
  privacy: 'Tus datos van al programa de embajadores del club y a ningún otro sitio.',
};

const fr: PageStrings = {
  first: 'Prénom',
  last: 'Nom',
  email: 'E-mail',
  photo: 'Photo',
  photoHint: 'Une photo de vous, prise avec l’appareil ou choisie dans la galerie.',
  optional: 'facultatif',
  submit: 'M’inscrire',
  honeypot: 'Laissez ce champ vide',
  fix: 'Corrigez les champs signalés.',
  required: 'Ce champ est obligatoire.',
  invalid_email: 'Saisissez un e-mail valide.',
  invalid: 'Vérifiez ce champ.',
  photoRefused: 'Ce fichier n’est pas une image utilisable. Choisissez une photo (JPEG, PNG, WebP ou HEIF).',
  photoTooBig: 'Cette image est trop grande. Choisissez-en une plus petite.',
  expired: 'Ce formulaire est trop ancien. Nous l’avons rechargé : envoyez-le à nouveau.',
  conflict: 'Ce formulaire a déjà été envoyé avec d’autres informations. Remplissez le nouveau formulaire.',
  thanksTitle: 'Vous êtes inscrit',
  thanks: 'Merci ! Vous êtes inscrit.',
  already: 'Vous étiez déjà inscrit. Rien n’a changé.',
  scanTitle: 'Scannez l’affiche',
  scan: 'Pour vous inscrire, scannez avec l’appareil photo de votre téléphone le QR code d’une affiche du club.',
  notFoundTitle: 'Page introuvable',
  notFound: 'Aucune page d’inscription à cette adresse. Vérifiez le lien ou scannez à nouveau l’affiche du club.',
  tooMany: 'Trop de tentatives depuis ce réseau. Attendez une minute, puis renvoyez le formulaire.',
  privacy: 'Vos informations vont au programme d’ambassadeurs du club, et nulle part ailleurs.',
};

export const PAGE_STRINGS: Record<TPageConfig['locale'], PageStrings> = { en, es, fr };

/** The locale for pages with no configuration (404): the first supported one the browser asks for. */
export function localeFromHeader(acceptLanguage: string | undefined): TPageConfig['locale'] {
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === 'en' || tag === 'es' || tag === 'fr') return tag;
  }
  return 'en';
}
