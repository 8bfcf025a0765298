import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { query, recouvre, tempDir } from './cli.js';

// A re-import skips the lines it has already read, unchanged (their fingerprint is stored with
// the invoice), and reads a large file without quotes as two halves side by side. Whatever it
// skips, the outcome must be the one of a full read: each scenario runs on two identical stores,
// one of which has lost its fingerprints (as after an upgrade), and both must end the same.

const HEADER = 'N° facture;Code client;Raison sociale;Courriel;Date facture;Échéance;Montant TTC;Réglé';
const LINES = 50_000;
const CLIENTS = 1_500;

function line(n: number, overrides: { amount?: string; email?: string; paid?: string } = {}): string {
  const client = (n * 7919) % CLIENTS;
  const day = String(1 + (n % 28)).padStart(2, '0');
  const month = String(1 + (n % 12)).padStart(2, '0');
  const cents = String(n % 100).padStart(2, '0');
  const amount = overrides.amount ?? `${1 + (n % 3)} ${String(n % 1000).padStart(3, '0')},${cents}`;
  return [
    `F${String(n).padStart(7, '0')}`,
    `C${client}`,
    `Client ${client} SARL`,
    overrides.email ?? `compta${client}@client${client}.fr`,
    `${day}/${month}/2025`,
    `${day}/${month}/2026`,
    amount,
    overrides.paid ?? (n % 5 === 0 ? amount : '0,00'),
  ].join(';');
}

/**
 * An export with lines ending in `eol`. Without quotes its lines are read as bytes (LF or CR LF);
 * `quoted` puts one cell of its first line between quotes, so that the CSV parser reads it all.
 */
function exportOfLines(lines: string[], eol: string, quoted = false): string {
  const rows = quoted ? [(lines[0] as string).replace(/;([^;]*);/, ';"$1";'), ...lines.slice(1)] : lines;
  return `\ufeff${HEADER}${eol}${rows.join(eol)}${eol}`;
}

const exportOf = (lines: string[]) => exportOfLines(lines, '\n');

const base = Array.from({ length: LINES }, (_, i) => line(i + 1));

interface Outcome {
  readonly code: number;
  readonly json: Record<string, unknown> | null;
  readonly stderr: string;
}

async function importInto(db: string, file: string, ...flags: string[]): Promise<Outcome> {
  const result = await recouvre(['--db', db, 'import', file, '--json', ...flags], { cwd: join(db, '..') });
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { code: result.code, json, stderr: result.stderr };
}

/** What a store holds, without what depends on the clock or on fingerprints. */
function contents(db: string) {
  const journal = query<{
    kind: string;
    invoice_id: number | null;
    client_id: number | null;
    details: string;
  }>(db, 'SELECT kind, invoice_id, client_id, details FROM journal ORDER BY id').map((entry) => {
    const details = JSON.parse(entry.details) as Record<string, unknown>;
    delete details.lignes_reconnues;
    return { ...entry, details };
  });
  return {
    invoices: query(
      db,
      `SELECT id, number, client_id, issue_date, due_date, due_date_computed, amount_cents, paid_cents,
              paid_on, currency, disputed, closed_import_id, created_import_id, updated_import_id, source_line
       FROM invoices ORDER BY id`,
    ),
    clients: query(db, 'SELECT * FROM clients ORDER BY id'),
    imports: query(
      db,
      `SELECT file_name, created, updated, unchanged, rejected, skipped, duplicates, closed,
              clients_created, clients_updated FROM imports ORDER BY id`,
    ),
    journal,
  };
}

/** Lines the last import recognised by their fingerprint (0 when every line was read in full). */
function recognised(db: string): number {
  const [last] = query<{ details: string }>(
    db,
    "SELECT details FROM journal WHERE kind = 'import' ORDER BY id DESC LIMIT 1",
  );
  return (JSON.parse(last?.details ?? '{}') as { lignes_reconnues?: number }).lignes_reconnues ?? 0;
}

/** Two stores with the same history; the second forgets its fingerprints before each import. */
async function twoStores(setup: (db: string) => Promise<void>) {
  const dir = tempDir();
  const skipping = join(dir, 'avec-empreintes.db');
  const full = join(dir, 'sans-empreintes.db');
  for (const db of [skipping, full]) await setup(db);
  return {
    dir,
    skipping,
    full,
    /** Imports into both, the second without fingerprints, and returns both outcomes. */
    async both(file: string, ...flags: string[]) {
      const withPrints = await importInto(skipping, file, ...flags);
      const sqlite = new Database(full);
      sqlite.exec('UPDATE invoices SET line_hash = NULL');
      sqlite.close();
      const without = await importInto(full, file, ...flags);
      return { withPrints, without };
    },
  };
}

describe('recouvre import: a re-import skips the unchanged lines, and ends as a full read would', () => {
  it('reads a large unchanged export again without writing anything, and recognises its lines', async () => {
    const dir = tempDir();
    const file = join(dir, 'factures.csv');
    writeFileSync(file, exportOf(base));
    expect(statSync(file).size).toBeGreaterThan(4 << 20); // read as two halves
    const db = join(dir, 'recouvre.db');
    expect((await importInto(db, file)).json).toMatchObject({ crees: LINES });
    const before = contents(db);

    const again = await importInto(db, file);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ crees: 0, mis_a_jour: 0, inchanges: LINES, rejetes: 0 });
    expect(recognised(db)).toBeGreaterThan(LINES * 0.9);
    const after = contents(db);
    expect(after.invoices).toEqual(before.invoices);
    expect(after.clients).toEqual(before.clients);
    expect(after.journal.filter((e) => e.kind !== 'import')).toEqual(
      before.journal.filter((e) => e.kind !== 'import'),
    );
  });

  it.each([
    ['line feeds, read as bytes', '\n', false],
    ['CR LF, read as bytes', '\r\n', false],
    ['a quote, read by the CSV parser', '\n', true],
  ])(
    'changes in both halves, a changed client, a closing, a dispute and a duplicate line: the same as a full read (%s)',
    async (_, eol, quoted) => {
      let file = '';
      const exportOf = (lines: string[]) => exportOfLines(lines, eol, quoted);
      const stores = await twoStores(async (db) => {
        file = join(db, '..', 'factures.csv');
        writeFileSync(file, exportOf(base));
        await importInto(db, file);
        // A complete list without two invoices closes them; a dispute is set by hand.
        const partial = join(db, '..', 'partielle.csv');
        writeFileSync(partial, exportOf(base.filter((_, i) => i !== 10 && i !== 30_010)));
        await importInto(db, partial, '--liste-complete');
        await recouvre(['--db', db, 'litige', 'F0000021', '--motif', 'contesté'], { cwd: join(db, '..') });
        // Another export changes a client's address: re-reading the first one puts it back.
        const other = join(db, '..', 'autre.csv');
        writeFileSync(
          other,
          exportOf(['F9000001;C5;Client 5 SARL;ailleurs@client5.fr;01/01/2026;31/01/2026;10,00;0,00']),
        );
        await importInto(db, other);
      });

      const changed = [...base];
      // New amounts, paid at once: a correction recouvre writes (an unpaid amount moving by more
      // than what is paid would be refused as a broken export).
      changed[100] = line(101, { amount: '9 999,99', paid: '9 999,99' }); // first half
      changed[40_000] = line(40_001, { amount: '9 876,54', paid: '9 876,54' }); // second half
      changed[40_002] = line(40_003, { paid: '0,50' });
      // A client's first line brings a new address; another's first line in the second half too
      // (too late: a later line only fills in what is empty).
      const clientOf = (l: string) => l.split(';')[1];
      const first = changed.findIndex((l) => clientOf(l) === 'C77');
      changed[first] = line(first + 1, { email: 'nouveau77@client.fr' });
      const late = changed.findIndex((l, i) => i >= 30_000 && clientOf(l) === 'C78');
      changed[late] = line(late + 1, { email: 'nouveau78@client.fr' });
      changed.push(base[200] as string); // an identical duplicate, at the end
      const modified = join(stores.dir, 'factures-maj.csv');
      writeFileSync(modified, exportOf(changed));

      const { withPrints, without } = await stores.both(modified);
      expect(withPrints.code).toBe(0);
      expect(withPrints.json).toEqual(without.json);
      expect(withPrints.json).toMatchObject({ mis_a_jour: 5, doublons: 1, clients_mis_a_jour: 2 });
      expect(recognised(stores.skipping)).toBeGreaterThan(LINES * 0.8);
      expect(recognised(stores.full)).toBe(0);
      expect(contents(stores.skipping)).toEqual(contents(stores.full));
    },
  );

  it('a number changed in the first half and repeated unchanged in the second is a conflict, as in a full read', async () => {
    let file = '';
    const stores = await twoStores(async (db) => {
      file = join(db, '..', 'factures.csv');
      writeFileSync(file, exportOf(base));
      await importInto(db, file);
    });
    const changed = [...base];
    changed[50] = line(51, { amount: '5 555,55' });
    changed.push(base[50] as string); // the old line again, far below: its fingerprint is known
    const conflicting = join(stores.dir, 'conflit.csv');
    writeFileSync(conflicting, exportOf(changed));

    const { withPrints, without } = await stores.both(conflicting);
    expect(withPrints.code).toBe(1);
    expect(withPrints.json).toEqual(without.json);
    expect(JSON.stringify(withPrints.json)).toContain('F0000051');
    expect(contents(stores.skipping)).toEqual(contents(stores.full));

    // With --ignorer-erreurs the first line wins and the repeated one is rejected, both ways.
    const ignored = await stores.both(conflicting, '--ignorer-erreurs');
    expect(ignored.withPrints.code).toBe(ignored.without.code);
    expect(ignored.withPrints.json).toEqual(ignored.without.json);
    expect(ignored.withPrints.json).toMatchObject({ importe: true, rejetes: 1 });
    expect(contents(stores.skipping)).toEqual(contents(stores.full));
  });

  it('a Windows-1252 export read again: accented names unchanged, a changed one read right', async () => {
    const dir = tempDir();
    const db = join(dir, 'recouvre.db');
    const names = ['Société Éloïse', 'Boulangerie Lefèvre', 'Café « Le Zèbre »'];
    const lines = Array.from({ length: 3000 }, (_, i) => {
      const client = i % 30;
      const name = `${names[client % 3]} n°${client}`;
      return `F${i + 1};C${client};${name};c${client}@exemple.fr;01/02/2026;03/03/2026;1 000,${String(i % 100).padStart(2, '0')};0,00`;
    });
    const write = (name: string, rows: string[]) => {
      const file = join(dir, name);
      writeFileSync(file, iconv.encode(`${HEADER}\n${rows.join('\n')}\n`, 'win1252'));
      return file;
    };
    const file = write('factures.csv', lines);
    expect((await importInto(db, file)).json).toMatchObject({ crees: 3000, clients_crees: 30 });
    expect((await importInto(db, file)).json).toMatchObject({ inchanges: 3000, clients_mis_a_jour: 0 });
    expect(recognised(db)).toBeGreaterThan(2900);

    // A client's first line gets another accented name.
    const renamed = [...lines];
    renamed[2] = (renamed[2] as string).replace('Café « Le Zèbre » n°2', 'Crêperie Noël n°2');
    expect(renamed[2]).toContain('Crêperie');
    const again = await importInto(db, write('factures-maj.csv', renamed));
    expect(again.json).toMatchObject({ inchanges: 3000, clients_mis_a_jour: 1 });
    expect(query<{ name: string }>(db, "SELECT name FROM clients WHERE code = 'C2'")).toEqual([
      { name: 'Crêperie Noël n°2' },
    ]);
  });
});
