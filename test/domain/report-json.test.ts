import { describe, expect, it } from 'vitest';
import { jsonChunks } from '../../src/app/report-json.js';

describe('the report as JSON, in pieces', () => {
  it('is the text of JSON.stringify, long arrays a thousand rows at a time', () => {
    const rows = Array.from({ length: 2501 }, (_, k) => ({
      client: `C${k}`,
      nom: 'Dupont « & fils »\n',
      total: k,
    }));
    const values: unknown[] = [
      { date: '2026-11-20', vide: {}, liste: [], absent: undefined, rien: null, taux: 0.5, rows },
      rows.slice(0, 1000),
      rows.slice(0, 1001),
      [1, undefined, 'a"b', [2000, { x: new Date(0) }]],
      'texte',
      42,
      null,
    ];
    for (const value of values) {
      const pieces = [...jsonChunks(value)];
      expect(pieces.join('')).toBe(JSON.stringify(value));
    }
    // The 2,501 rows in three pieces, not one.
    const pieces = [...jsonChunks(rows)];
    expect(pieces.length).toBe(4);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(JSON.stringify(rows).length / 2);
  });
});
