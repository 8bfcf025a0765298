/**
 * The creditor: the company that sends the reminders. Its identity must be complete before any
 * mise en demeure goes out, and its bank details right before a QR code invites a transfer.
 */
export interface Creditor {
  readonly name: string;
  readonly siren: string;
  /** Postal address, one line per element. */
  readonly address: readonly string[];
  readonly email: string;
  readonly phone: string;
  readonly iban: string | null;
  readonly bic: string | null;
  /** Who signs the letters, with their capacity ("Marie Durand, gérante"). */
  readonly signatory: string | null;
  /** A payment page, when the company has one. */
  readonly paymentLink: string | null;
}

/** The fields a formal notice cannot go without, with their configuration key. */
export const REQUIRED_FOR_LETTERS: readonly (readonly [keyof Creditor, string])[] = [
  ['name', 'raison_sociale'],
  ['siren', 'siren'],
  ['address', 'adresse'],
  ['email', 'email'],
  ['phone', 'telephone'],
];

/** Configuration keys of the creditor identity that are missing, in order. */
export function missingCreditorFields(creditor: Partial<Creditor>): string[] {
  return REQUIRED_FOR_LETTERS.filter(([field]) => {
    const value = creditor[field];
    return (
      value === undefined ||
      value === null ||
      (Array.isArray(value) ? value.length === 0 : String(value).trim() === '')
    );
  }).map(([, key]) => key);
}

/** `normalizeIban('fr76 3000 6000 0112 3456 7890 189')` → `'FR7630006000011234567890189'`. */
export function normalizeIban(iban: string): string {
  return iban.replace(/\s+/g, '').toUpperCase();
}

/**
 * ISO 13616 check: letters to numbers, country and check digits moved to the end, mod 97 = 1.
 * `ibanIsValid('FR7630006000011234567890189')` → true.
 */
export function ibanIsValid(iban: string): boolean {
  const text = normalizeIban(iban);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(text)) return false;
  const moved = text.slice(4) + text.slice(0, 4);
  let remainder = 0;
  for (const char of moved) {
    const value = char >= 'A' ? char.charCodeAt(0) - 55 : Number(char);
    remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** `formatIban('FR7630006000011234567890189')` → `'FR76 3000 6000 0112 3456 7890 189'`. */
export function formatIban(iban: string): string {
  return normalizeIban(iban).replace(/(.{4})(?=.)/g, '$1 ');
}

/** `bicIsValid('BNPAFRPPXXX')` → true: 4 letters (bank), 2 (country), 2 (place), optional 3 (branch). */
export function bicIsValid(bic: string): boolean {
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic.replace(/\s+/g, '').toUpperCase());
}

/**
 * A SIREN is 9 digits whose Luhn sum is a multiple of 10 (La Poste, 356 000 000, is the known
 * exception). `sirenIsValid('732 829 320')` → true.
 */
export function sirenIsValid(siren: string): boolean {
  const digits = siren.replace(/\s+/g, '');
  if (!/^\d{9}$/.test(digits)) return false;
  if (digits === '356000000') return true;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(digits[8 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
