/** French: built into `vantio-locale-fr.json` and fetched only by pages that show it (see strings.ts). */
import type { Strings } from '../strings';

export default {
  first: 'Prénom',
  last: 'Nom',
  email: 'E-mail',
  submit: 'S’inscrire',
  sending: 'Envoi…',
  required: 'Champ obligatoire.',
  invalid_email: 'Saisissez un e-mail valide.',
  invalid: 'Vérifiez ce champ.',
  fix: 'Corrigez les champs signalés.',
  done: 'Merci, {name}\u00a0! Vous êtes inscrit·e.',
  saved: 'Hors ligne. Votre inscription est enregistrée et partira toute seule.',
  savedTab: 'Hors ligne. Gardez cette page ouverte pour l’envoyer automatiquement.',
  error: 'Une erreur est survenue. Veuillez réessayer.',
  none: 'Pour vous inscrire, scannez le QR code d’une affiche du club.',
  framed: 'Ce formulaire ne peut pas voir quelle affiche vous avez scannée depuis cette page. Demandez au club son lien d’inscription direct.',
  noStore: 'Votre navigateur bloque le stockage\u00a0: cette page ne pourra pas se souvenir de vous plus tard. Inscrivez-vous maintenant.',
  refused: 'Cette page n’est pas encore configurée pour les inscriptions. Merci de prévenir le club.',
  // The photo field's (its chunk holds the English).
  photo: 'Photo',
  optional: 'facultatif',
  photoRefused: 'Ce fichier n’est pas une image utilisable. Choisissez une photo.',
  photoRemove: 'Retirer la photo',
  photoUnsupported: 'Ce navigateur ne peut pas préparer de photo. Vous pouvez vous inscrire sans.',
  photoLost: 'Votre photo n’a pas pu être conservée : votre inscription part sans elle.',
} satisfies Required<Strings>;
