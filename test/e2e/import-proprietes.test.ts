import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture, recouvre, tempDir } from './cli.js';

// Random damage to real exports, as a broken export, a bad copy or a hand edit would do it. Each
// case is either imported or refused with where and why, never a stack trace; a refused import
// leaves the base byte for byte as it was. On a failure fast-check prints the seed and the smallest
// damage it found; FC_SEED=… replays it, FC_RUNS=… runs more cases.

const EXPORTS = [fixture('../../examples/factures.csv'), fixture('import/utf-8-bom.csv')] as const;

const NASTY_CELLS = [
  '',
  ' ',
  '"',
  ';',
  '0,00',
  '-0,00',
  '-1 440,00 €',
  '1e9',
  '12,3O',
  '99999999999999999999,99',
  '31/02/2026',
  '01/09/26',
  '2026-13-01',
  '00/00/0000',
  'NaN',
  '=HYPERLINK("x")',
  '{{> x}}',
  '\u202eexe',
  'é'.repeat(5000),
  '\r',
  '\n',
] as const;

type Damage =
  | { readonly kind: 'byte'; readonly at: number; readonly value: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'cut'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'cell'; readonly line: number; readonly cell: number; readonly text: string }
  | { readonly kind: 'line'; readonly line: number; readonly action: 'drop' | 'double' | 'swap' };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('cell' as const),
    line: position,
    cell: fc.integer({ min: 0, max: 9 }),
    text: fc.oneof(fc.constantFrom(...NASTY_CELLS), fc.string({ maxLength: 12 })),
  }),
  fc.record({
    kind: fc.constant('line' as const),
    line: position,
    action: fc.constantFrom('drop', 'double', 'swap'),
  }),
);

function damaged(bytes: Buffer, damages: readonly Damage[]): Buffer {
  let out = bytes;
  for (const d of damages) {
    const at = Math.floor(('at' in d ? d.at : 0) * out.length);
    switch (d.kind) {
      case 'byte':
        out = Buffer.concat([out.subarray(0, at), Buffer.from([d.value]), out.subarray(at + 1)]);
        break;
      case 'insert':
        out = Buffer.concat([out.subarray(0, at), Buffer.from(d.bytes), out.subarray(at)]);
        break;
      case 'cut':
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + d.length)]);
        break;
      case 'truncate':
        out = out.subarray(0, Math.max(1, at));
        break;
      case 'cell':
      case 'line': {
        // Latin-1 maps each byte to one character and back: the bytes of either encoding survive.
        const lines = out.toString('latin1').split('\n');
        const n = Math.floor(d.line * lines.length);
        if (d.kind === 'cell') {
          const cells = (lines[n] ?? '').split(';');
          cells[d.cell % Math.max(1, cells.length)] = Buffer.from(d.text, 'utf8').toString('latin1');
          lines[n] = cells.join(';');
        } else if (d.action === 'drop') lines.splice(n, 1);
        else if (d.action === 'double') lines.splice(n, 0, lines[n] ?? '');
        else if (n + 1 < lines.length)
          [lines[n], lines[n + 1]] = [lines[n + 1] as string, lines[n] as string];
        out = Buffer.from(lines.join('\n'), 'latin1');
        break;
      }
    }
  }
  return out;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('recouvre import, on randomly damaged exports', () => {
  it('imports or refuses with a location, never a stack trace, and a refusal changes nothing', async () => {
    // One company per export, imported once; each case starts from a copy of its base.
    const bases = await Promise.all(
      EXPORTS.map(async (file) => {
        const dir = tempDir();
        expect((await recouvre(['import', file], { cwd: dir })).code).toBe(0);
        return join(dir, 'recouvre.db');
      }),
    );
    let refused = 0;
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: EXPORTS.length - 1 }),
        fc.array(damage, { minLength: 1, maxLength: 3 }),
        async (which, damages) => {
          const dir = tempDir();
          const db = join(dir, 'recouvre.db');
          copyFileSync(bases[which] as string, db);
          const before = sha(db);
          writeFileSync(join(dir, 'export.csv'), damaged(readFileSync(EXPORTS[which] as string), damages));
          const result = await recouvre(['import', 'export.csv'], { cwd: dir });
          expect(result.stderr).not.toMatch(/\n\s+at |erreur interne|TypeError|RangeError/);
          expect([0, 1]).toContain(result.code);
          if (result.code === 0) {
            imported++;
            return;
          }
          refused++;
          // Every refusal names the file, and a line when it is about one.
          expect(result.stderr).toMatch(/export\.csv/);
          const located = result.stderr
            .split('\n')
            .filter((l) => l.startsWith('✗'))
            .every((l) => /export\.csv:\d+/.test(l));
          expect(located, result.stderr).toBe(true);
          expect(sha(db), result.stderr).toBe(before);
        },
      ),
      {
        numRuns: Number(process.env.FC_RUNS ?? 60),
        ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
      },
    );
    // Both outcomes were met: the damage is neither always fatal nor always harmless.
    expect(refused).toBeGreaterThan(0);
    expect(imported).toBeGreaterThan(0);
  }, 300_000);
});
