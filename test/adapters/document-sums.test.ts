import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, describe, expect, it } from 'vitest';
import { frenchHolidays } from '../../src/adapters/holidays.js';
import { renderClaimFile, renderLetter } from '../../src/adapters/pdf.js';
import { loadRateTables } from '../../src/adapters/rate-tables.js';
import { shippedTemplatesDir, Templates } from '../../src/adapters/templates.js';
import type { IsoDate } from '../../src/domain/dates.js';
import { type DocumentView, documentView } from '../../src/domain/document-view.js';
import {
  type DunningClient,
  type DunningInvoice,
  type PastAction,
  type PlannedAction,
  planDunning,
} from '../../src/domain/dunning.js';
import type { Cents } from '../../src/domain/money.js';
import { amountAtEnd, htmlLines, printedSumProblems } from '../../src/domain/printed-sums.js';
import { DEFAULT_SETTINGS, type StepCode } from '../../src/domain/scenario.js';
import { sampleCreditor } from '../bench/render.js';
import { dunningClient, dunningInvoice } from '../domain/builders.js';

/**
 * One truth for every amount: every shipped template (and a user's edited copy) is rendered on
 * actions the engine planned, with credit notes, partial payments, several invoices, another
 * currency and a private client; the figures are read back from the text, the HTML and the PDF,
 * and every printed total must be the sum of the lines printed above it.
 */
const asOf = '2026-11-20' as IsoDate;
const creditor = sampleCreditor;
const rules = {
  settings: DEFAULT_SETTINGS,
  penalties: { contractualRate: null, freezeFirstHalfYear: false, noticeReceiptDays: 3 },
  rates: loadRateTables({ bce: { '2026-07-01': 2.15 }, interet_legal: { '2026-S2': 2.62 } }),
  holidays: frenchHolidays({ alsaceMoselle: false }),
  force: true,
};

/** An invoice numbered as a French export numbers it: F2026-… or, for a credit note, A2026-…. */
function invoice(clientId: number, due: string, amount: number, over: Partial<DunningInvoice> = {}) {
  const made = dunningInvoice(clientId, due, amount, {
    creditDate: amount < 0 ? ('2026-09-10' as IsoDate) : null,
    ...over,
  });
  return { ...made, number: `${amount < 0 ? 'A' : 'F'}2026-${made.id}` };
}

function client(id: number, kind: 'professionnel' | 'particulier'): DunningClient {
  return dunningClient(id, { code: `K${id}`, kind });
}

/** The cases: one client each, reminded before so that `step` is what comes next. */
function cases(step: StepCode): [string, PlannedAction][] {
  const previous: Record<string, string> = {
    rappel: '',
    relance: 'rappel',
    mise_en_demeure: 'relance',
    contentieux: 'mise_en_demeure',
  };
  const made: [string, DunningClient, DunningInvoice[]][] = [
    [
      'credit note and partial payment, two invoices',
      client(1, 'professionnel'),
      [
        invoice(1, '2026-08-31', 144000, { declaredPaid: 12000 as Cents, outstanding: 132000 as Cents }),
        invoice(1, '2026-09-30', 31800),
        invoice(1, '2026-09-10', -12000),
      ],
    ],
    [
      'one credit note over two invoices, another currency',
      client(2, 'professionnel'),
      [
        invoice(2, '2026-08-15', 50000, { currency: 'USD' }),
        invoice(2, '2026-08-20', 40000, { currency: 'USD' }),
        invoice(2, '2026-09-10', -60000, { currency: 'USD' }),
      ],
    ],
    [
      'a private client, paid in part after the due date',
      client(3, 'particulier'),
      [
        invoice(3, '2026-07-31', 90000, {
          payments: [{ date: '2026-09-15' as IsoDate, amount: 30000 as Cents }],
          outstanding: 60000 as Cents,
        }),
      ],
    ],
    [
      'three invoices, one paid in part by a payment typed after the export',
      client(4, 'professionnel'),
      [
        invoice(4, '2026-06-30', 250000, {
          freshPayments: [{ date: '2026-10-01' as IsoDate, amount: 50000 as Cents }],
          outstanding: 200000 as Cents,
        }),
        invoice(4, '2026-07-31', 12345),
        invoice(4, '2026-08-31', 99999),
      ],
    ],
  ];
  return made.map(([label, who, invoices]) => {
    const steps = ['rappel', 'relance', 'mise_en_demeure', 'contentieux'];
    const done = steps.slice(0, steps.indexOf(step));
    const actions: PastAction[] = done.map((code, k) => ({
      clientId: who.id,
      date: `2026-10-0${k + 1}` as IsoDate,
      step: code,
      channel: code === 'mise_en_demeure' ? 'courrier' : 'email',
      done: true,
      receivedOn: null,
      invoiceIds: invoices.filter((i) => i.outstanding > 0).map((i) => i.id),
    }));
    expect(previous[step]).toBe(done.at(-1) ?? '');
    // A first contact is the latest reminder due: for a rappel, the relance comes later.
    const scenarioRules =
      step === 'rappel'
        ? {
            ...rules,
            settings: {
              ...DEFAULT_SETTINGS,
              scenarios: [
                {
                  ...DEFAULT_SETTINGS.scenarios[0]!,
                  steps: DEFAULT_SETTINGS.scenarios[0]!.steps.map((s) =>
                    s.code === 'rappel' ? s : { ...s, days: s.days + 300 },
                  ),
                },
              ],
            },
          }
        : rules;
    const plan = planDunning(
      { asOf, clients: new Map([[who.id, who]]), invoices, actions, plans: [], interruptions: new Map() },
      scenarioRules,
    );
    const action = plan.actions[0];
    if (!action || action.step.code !== step) throw new Error(`${label}: no ${step} planned`);
    return [label, action];
  });
}

function viewOf(action: PlannedAction): DocumentView {
  return documentView(
    action,
    creditor,
    {
      code: action.client.code,
      name: action.client.name,
      emails: ['a@b.fr'],
      address: ['1 rue X', '69002 Lyon'],
    },
    new Map(),
    [],
    asOf,
    8,
  );
}

async function pdfLines(pdf: Buffer, view: DocumentView): Promise<string[]> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
  const numbers = view.factures.map((f) => f.numero);
  // A table's header starts a new block; its rows are lines of the sum.
  return text
    .split('\n')
    .map((line) =>
      /^Facture\s/.test(line) ? '' : numbers.some((n) => line.startsWith(`${n} `)) ? `| ${line}` : line,
    );
}

/** The figures a debtor reads: the last total of the document, which must be what is claimed. */
function lastTotal(lines: readonly string[]): Cents | null {
  const totals = lines.filter((l) => /^[\s|]*(total|montant restant dû)/i.test(l) && amountAtEnd(l) !== null);
  return totals.length === 0 ? null : amountAtEnd(totals.at(-1)!);
}

const userDir = mkdtempSync(join(tmpdir(), 'recouvre-modeles-'));
afterAll(() => rmSync(userDir, { recursive: true, force: true }));

describe('every printed total is the sum of the lines above it', () => {
  // A user's exported copy, edited: other greetings, the same partials.
  cpSync(shippedTemplatesDir(), userDir, { recursive: true });
  for (const name of ['email/relance.texte.hbs', 'email/mise_en_demeure.texte.hbs']) {
    const path = join(userDir, name);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(/^(Bonjour|Madame, Monsieur),/m, 'Chère cliente, cher client,'),
    );
  }
  const sets: [string, Templates][] = [
    ['shipped templates', new Templates([shippedTemplatesDir()])],
    ['an edited copy', new Templates([userDir, shippedTemplatesDir()])],
  ];

  for (const step of ['rappel', 'relance', 'mise_en_demeure'] as const) {
    for (const [label, action] of cases(step)) {
      it(`${step}: ${label}`, async () => {
        const view = viewOf(action);
        const claimed =
          step === 'mise_en_demeure'
            ? action.totalClaimed + action.totalInterest + action.totalIndemnity
            : action.totalClaimed;
        expect(view.total_du_centimes).toBe(claimed);
        for (const [which, templates] of sets) {
          const text = templates.render(`email/${step}.texte`, view).split('\n');
          expect(printedSumProblems(text), `${which}: ${step}.texte`).toEqual([]);
          expect(lastTotal(text), `${which}: ${step}.texte`).toBe(claimed);
          const html = htmlLines(templates.render(`email/${step}.html`, view));
          expect(printedSumProblems(html), `${which}: ${step}.html`).toEqual([]);
          expect(lastTotal(html), `${which}: ${step}.html`).toBe(claimed);
        }
        const templates = sets[0]![1];
        const letter = await renderLetter({
          view,
          subject: 'Objet',
          body: templates.render(`courrier/${step}`, view),
          registered: step === 'mise_en_demeure',
          date: asOf,
          currency: action.currency,
          totalCents: view.total_du_centimes,
        });
        const lines = await pdfLines(letter, view);
        expect(printedSumProblems(lines), 'letter').toEqual([]);
        const printed = lines.filter((l) => /^Total (réclamé|restant dû)/.test(l)).map(amountAtEnd);
        expect(printed, 'letter').toEqual([claimed]);
      });
    }
  }

  for (const [label, action] of cases('contentieux')) {
    it(`claim file: ${label}`, async () => {
      const view = viewOf(action);
      const pdf = await renderClaimFile({ view, date: asOf, payments: [], history: [], procedure: [] });
      const lines = await pdfLines(pdf, view);
      expect(printedSumProblems(lines)).toEqual([]);
      const find = (start: string) => lines.filter((l) => l.startsWith(start)).map(amountAtEnd);
      expect(find('Total réclamé')).toEqual([
        action.totalClaimed + action.totalInterest + action.totalIndemnity,
      ]);
      // The detail adds up to the figures of the claim.
      if (action.totalInterest > 0)
        expect(find('Total des pénalités de retard')).toEqual([action.totalInterest]);
      if (action.totalIndemnity > 0)
        expect(find('Total des indemnités forfaitaires')).toEqual([action.totalIndemnity]);
    });
  }
});

describe('printedSumProblems', () => {
  it('finds a credit note listed again under amounts already net of it (the old e-mails)', () => {
    const lines = [
      '  - facture F2026-0101 du 01/09/2026, échue le 01/10/2026 (50 jours de retard) : 1 320,00 €',
      '  - facture F2026-0104 du 15/09/2026, échue le 15/10/2026 (36 jours de retard) : 318,00 €',
      '  - avoir A2026-0010 déduit : -120,00 €',
      'Montant restant dû : 1 638,00 €',
    ];
    expect(printedSumProblems(lines)).toEqual([
      { line: 4, text: 'Montant restant dû : 1 638,00 €', printed: 163800, sum: 151800 },
    ]);
  });

  it('ignores prose and starts again after a blank line', () => {
    expect(
      printedSumProblems(['la somme de 12,00 €', '- a : 5,00 €', '', '- b : 7,00 €', 'Total : 7,00 €']),
    ).toEqual([]);
  });

  it('reads HTML tables row by row', () => {
    const html =
      '<p>x</p><table><tr><td>F1</td><td>10,00 €</td></tr><tr><td>Avoir</td><td>-2,00 €</td></tr><tr><td>Total</td><td>9,00 €</td></tr></table>';
    expect(printedSumProblems(htmlLines(html)).map((p) => p.sum)).toEqual([800]);
  });
});
