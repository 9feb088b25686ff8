/** Spanish: built into `vantio-locale-es.json` and fetched only by pages that show it (see strings.ts). */
import type { Strings } from '../strings';

export default {
  first: 'Nombre',
  last: 'Apellidos',
  email: 'Correo electrónico',
  submit: 'Inscribirme',
  sending: 'Enviando…',
  required: 'Campo obligatorio.',
  invalid_email: 'Escribe un correo válido.',
  invalid: 'Revisa este campo.',
  fix: 'Corrige los campos marcados.',
  done: '¡Gracias, {name}! Te has inscrito.',
  saved: 'Sin conexión. Tu inscripción está guardada y se enviará sola.',
  savedTab: 'Sin conexión. Deja esta página abierta para enviarla sola.',
  error: 'Algo ha fallado. Inténtalo de nuevo.',
  none: 'Para inscribirte, escanea el código QR de un cartel del club.',
  framed: 'Este formulario no puede ver qué cartel escaneaste desde dentro de esta página. Pide al club su enlace directo de inscripción.',
  noStore: 'Tu navegador bloquea el almacenamiento, así que esta página no podrá recordarte más tarde: inscríbete ahora.',
  refused: 'Esta página aún no está preparada para inscripciones. Avisa al club, por favor.',
  // The photo field's (its chunk holds the English).
  photo: 'Foto',
  optional: 'opcional',
  photoRefused: 'Este archivo no es una imagen válida. Elige una foto.',
  photoRemove: 'Quitar la foto',
  photoUnsupported: 'Este navegador no puede preparar una foto. Puedes inscribirte sin ella.',
  photoLost: 'No se ha podido guardar tu foto, así que tu inscripción va sin ella.',
} satisfies Required<Strings>;
