import { renderLetter } from '../../src/adapters/pdf.js';
import { shippedTemplatesDir, Templates } from '../../src/adapters/templates.js';
import type { Creditor } from '../../src/domain/creditor.js';
import type { IsoDate } from '../../src/domain/dates.js';
import { documentView } from '../../src/domain/document-view.js';
import { type PlannedAction, UNHELD } from '../../src/domain/dunning.js';
import type { Cents } from '../../src/domain/money.js';
import { DEFAULT_STEPS } from '../../src/domain/scenario.js';
import { dunningClient } from '../domain/builders.js';

/**
 * Rendering speed on one core: e-mails (subject, text, HTML) and mise-en-demeure PDFs per second,
 * from the shipped templates and a realistic action of three invoices.
 */
const asOf = '2026-11-20' as IsoDate;
export const sampleCreditor: Creditor = {
  name: 'Dupont & Fils Rénovation',
  siren: '732829320',
  address: ['12 rue des Lilas', '75011 Paris'],
  email: 'compta@dupont-renovation.fr',
  phone: '01 23 45 67 89',
  iban: 'FR7630006000011234567890189',
  bic: 'BNPAFRPPXXX',
  signatory: 'Marie Dupont, gérante',
  paymentLink: null,
};

export function sampleAction(n: number, step: number): PlannedAction {
  const invoices = [0, 1, 2].map((k) => ({
    invoice: {
      id: n * 3 + k,
      number: `F2026-${String(n * 3 + k).padStart(6, '0')}`,
      clientId: n,
      creditDate: null,
      dueDate: `2026-0${7 + k}-15` as IsoDate,
      currency: 'EUR',
      amount: (120000 + k * 3333) as Cents,
      declaredPaid: 0 as Cents,
      payments: [],
      freshPayments: [],
      outstanding: (120000 + k * 3333) as Cents,
      ...UNHELD,
    },
    claimed: (120000 + k * 3333) as Cents,
    daysLate: 60 - k * 30,
    credits: [],
    penalty: {
      interest: 1234 as Cents,
      indemnity: 4000 as Cents,
      periods: [],
      noInterestReason: null,
      warnings: [],
      estimatedHalfYears: [],
    },
    noticeReceipt: null,
    settledOn: null,
  }));
  return {
    client: dunningClient(n, { code: `C${n}`, name: `Client n°${n} SARL` }),
    currency: 'EUR',
    step: DEFAULT_STEPS[step]!,
    channel: DEFAULT_STEPS[step]!.channel,
    channelNote: null,
    scenario: 'defaut',
    firstContact: false,
    invoices,
    credits: [],
    totalClaimed: invoices.reduce((s, i) => s + i.claimed, 0) as Cents,
    totalInterest: 3702 as Cents,
    totalIndemnity: 12000 as Cents,
  };
}

export function sampleView(a: PlannedAction) {
  return documentView(
    a,
    sampleCreditor,
    {
      code: a.client.code,
      name: a.client.name,
      emails: ['compta@client.fr'],
      address: ['1 rue du Client', '69002 Lyon'],
    },
    new Map(),
    [],
    asOf,
    8,
  );
}

export async function measureRendering(
  emails: number,
  pdfs: number,
): Promise<{ emailsPerSecond: number; pdfsPerSecond: number }> {
  const templates = new Templates([shippedTemplatesDir()]);
  for (let i = 0; i < 50; i++) {
    const view = sampleView(sampleAction(i, 1));
    templates.render('email/relance.sujet', view);
    templates.render('email/relance.texte', view);
    templates.render('email/relance.html', view);
  }
  let started = performance.now();
  let bytes = 0;
  for (let i = 0; i < emails; i++) {
    const view = sampleView(sampleAction(i, 1));
    bytes += templates.render('email/relance.sujet', view).length;
    bytes += templates.render('email/relance.texte', view).length;
    bytes += templates.render('email/relance.html', view).length;
  }
  const emailSeconds = (performance.now() - started) / 1000;
  await renderLetter({
    view: sampleView(sampleAction(0, 2)),
    subject: 'Mise en demeure de payer',
    body: templates.render('courrier/mise_en_demeure', sampleView(sampleAction(0, 2))),
    registered: true,
    date: asOf,
    currency: 'EUR',
    totalCents: 400000,
  });
  started = performance.now();
  for (let i = 0; i < pdfs; i++) {
    const view = sampleView(sampleAction(i, 2));
    const pdf = await renderLetter({
      view,
      subject: 'Mise en demeure de payer',
      body: templates.render('courrier/mise_en_demeure', view),
      registered: true,
      date: asOf,
      currency: 'EUR',
      totalCents: 381999 + i,
    });
    bytes += pdf.length;
  }
  const pdfSeconds = (performance.now() - started) / 1000;
  if (bytes === 0) throw new Error('nothing rendered');
  return { emailsPerSecond: emails / emailSeconds, pdfsPerSecond: pdfs / pdfSeconds };
}
