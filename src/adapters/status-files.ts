import Papa from 'papaparse';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { lifecycleStatus } from '../domain/lifecycle.js';
import { neutralise } from '../domain/text.js';
import type { PaidStatus } from './db/status-store.js';

/**
 * The 212 « Encaissée » statuses of recorded payments, as files a platform (or recouvre itself, with
 * `recouvre import`) reads back: a French CSV (`;`, decimal comma, dd/mm/yyyy, UTF-8 with a BOM) and
 * a JSON with ISO dates and amounts both as decimal text and in cents.
 */

const PAID = lifecycleStatus(212)!;

const SOURCE_TEXT: Readonly<Record<string, string>> = {
  releve: 'relevé bancaire',
  fichier: 'fichier de règlements',
  manuel: 'saisi dans recouvre',
};

const decimal = (cents: number, mark: string) =>
  `${Math.floor(cents / 100)}${mark}${String(cents % 100).padStart(2, '0')}`;

export function paidStatusCsv(paid: readonly PaidStatus[]): string {
  const rows = [
    [
      'Numéro de facture',
      'Code statut',
      'Libellé',
      'Date',
      'Montant encaissé',
      'Devise',
      'Référence',
      'Origine',
    ],
    ...paid.map((p) => [
      neutralise(p.number),
      String(PAID.code),
      PAID.label,
      formatDateFr(p.date as IsoDate),
      decimal(p.amount, ','),
      p.currency,
      neutralise(p.reference ?? ''),
      SOURCE_TEXT[p.source] ?? p.source,
    ]),
  ];
  return `\ufeff${Papa.unparse(rows, { delimiter: ';', newline: '\r\n' })}\r\n`;
}

export function paidStatusJson(paid: readonly PaidStatus[], createdAt: string): string {
  return `${JSON.stringify(
    {
      emis_le: createdAt,
      statuts: paid.map((p) => ({
        numero_facture: p.number,
        code: PAID.code,
        libelle: PAID.label,
        date: p.date,
        montant: decimal(p.amount, '.'),
        montant_centimes: p.amount,
        devise: p.currency,
        reference: p.reference,
        origine: p.source,
      })),
    },
    null,
    2,
  )}\n`;
}
