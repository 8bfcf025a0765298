import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { creditorToml, query, recouvrePlain as recouvre, tempDir } from './cli.js';
import { pdfText } from './pdf.js';
import { smtpForTest } from './smtp.js';

// Client names and invoice numbers as an attacker (or a careless colleague) would type them.
const SCRIPT = '<script>alert(1)</script> SARL';
const TEMPLATE = '{{#each this}}x{{/each}} {{> x}} SAS';
const LINK = '=HYPERLINK("http://evil.example/","Cliquez")';
const COMMAND = "+cmd|' /C calc'!A0";
const SUM = '@SUM(1+1)';
const RLO = '\u202e';
const ESC = '\u001b';
const FRIDAY = '2026-11-20';

const quote = (cell: string) => (/[;"\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
const csv = (rows: string[][]) => `${rows.map((r) => r.map(quote).join(';')).join('\r\n')}\r\n`;

const HEAD = [
  'N° facture',
  'Code client',
  'Raison sociale',
  'Courriel',
  'Type client',
  'Adresse',
  'Code postal',
  'Ville',
  'Date facture',
  'Échéance',
  'Montant TTC',
  'Réglé',
];
const row = (number: string, code: string, name: string, email: string, due = '01/09/2026') => [
  number,
  code,
  name,
  email,
  'professionnel',
  '3 place de l’Église\r\nBâtiment <B>',
  '69002',
  'Lyon',
  '01/08/2026',
  due,
  '1 200,00',
  '0,00',
];

async function company(smtpUrl: string): Promise<string> {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'recouvre.toml'),
    `${creditorToml({ bank: true })}\n[smtp]\nurl = "${smtpUrl}"\ndelai_secondes = 3\n\n[taux]\nbce = { "2026-07-01" = 2.15 }\n`,
  );
  writeFileSync(
    join(dir, 'factures.csv'),
    csv([
      HEAD,
      row('F-<b>1</b>', 'H1', SCRIPT, 'h1@exemple.fr'),
      row(`F${RLO}fdp.exe`, 'H2', TEMPLATE, 'h2@exemple.fr'),
      row(SUM, 'H3', `Ligne un\r\nLigne deux${RLO} SA${ESC}[31m`, 'h3@exemple.fr'),
      row('F-4', 'H4', COMMAND, 'h4@exemple.fr'),
      // A row refused for its date: it goes to the rejects file with its text.
      row('F-5', 'H5', LINK, 'h5@exemple.fr', '31/02/2026'),
    ]),
  );
  return dir;
}

describe('hostile text in the data', () => {
  it('is kept as plain text, and shown as text in every e-mail, letter, claim file, report and rejects file', async () => {
    const server = await smtpForTest();
    const dir = await company(server.url);
    const imported = await recouvre(['import', 'factures.csv', '--ignorer-erreurs'], { cwd: dir });
    // (the line of the file: the addresses span two lines each)
    expect(imported.stderr).toContain('factures.csv:11, colonne « Échéance »');
    expect(imported.stdout).toContain('4 factures');

    // What the base keeps: no control character, no direction override, the address on its lines.
    const db = join(dir, 'recouvre.db');
    const clients = query<{ code: string; name: string; address: string }>(
      db,
      'SELECT code, name, address FROM clients ORDER BY code',
    );
    expect(clients.map((c) => c.name)).toEqual([SCRIPT, TEMPLATE, 'Ligne un Ligne deux SA[31m', COMMAND]);
    expect(clients[0]!.address).toBe('3 place de l’Église\nBâtiment <B>\n69002 Lyon');
    const numbers = query<{ number: string }>(db, 'SELECT number FROM invoices ORDER BY number').map(
      (i) => i.number,
    );
    expect(numbers).toEqual(['@SUM(1+1)', 'F-4', 'F-<b>1</b>', 'Ffdp.exe']);

    // The rejects file: the header as the export had it, the formula made inert.
    const rejects = readFileSync(join(dir, 'factures.rejets.csv'), 'utf8');
    const [header, rejected] = rejects.split('\r\n');
    expect(header).toBe(`\ufeff${HEAD.join(';')};Ligne;Motif du rejet`);
    expect(rejected).toContain(`"'=HYPERLINK(""http://evil.example/"",""Cliquez"")"`);
    // Corrected and imported again, the name is the one typed, without the apostrophe.
    writeFileSync(join(dir, 'corrige.csv'), rejects.replace('31/02/2026', '28/02/2026'));
    expect((await recouvre(['import', 'corrige.csv'], { cwd: dir })).code).toBe(0);
    expect(query<{ name: string }>(db, "SELECT name FROM clients WHERE code = 'H5'")[0]!.name).toBe(LINK);

    // A user's own template that greets the client by name; H4 is at the mise en demeure (letter
    // and e-mail), H2 at the contentieux (claim file), the others get this relance.
    mkdirSync(join(dir, 'modeles', 'email'), { recursive: true });
    writeFileSync(
      join(dir, 'modeles', 'email', 'relance.html.hbs'),
      '<p>Bonjour {{client.nom}},</p>\n{{> factures.html}}\n{{> signature.html}}\n',
    );
    writeFileSync(
      join(dir, 'modeles', 'email', 'relance.texte.hbs'),
      'Bonjour {{client.nom}},\n{{> factures.texte}}\n{{> signature.texte}}\n',
    );
    const history = async (code: string, step: string, date: string) =>
      expect(
        (await recouvre(['historique', code, '--ajouter', step, '--date', date], { cwd: dir })).code,
      ).toBe(0);
    await history('H4', 'relance', '2026-10-20');
    await history('H2', 'relance', '2026-10-01');
    await history('H2', 'mise_en_demeure', '2026-10-20');
    const run = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const mails = server.messages.map((m) => m.mail);
    const mailTo = (address: string) => {
      const found = mails.find((m) => JSON.stringify(m.to).includes(address));
      if (!found) throw new Error(`aucun e-mail pour ${address}`);
      return found;
    };
    const h1 = mailTo('h1@exemple.fr');
    expect(h1.text).toContain(`Bonjour ${SCRIPT},`);
    expect(h1.text).toContain('F-<b>1</b>');
    expect(h1.html).not.toMatch(/<script|<b>1/);
    expect(h1.html).toContain('Bonjour &lt;script&gt;alert(1)&lt;/script&gt; SARL,');
    expect(h1.html).toContain('F-&lt;b&gt;1&lt;/b&gt;');
    const h3 = mailTo('h3@exemple.fr');
    expect(h3.text).toContain('Bonjour Ligne un Ligne deux SA[31m,');
    expect(h3.text).toContain(SUM);
    const h5 = mailTo('h5@exemple.fr');
    expect(h5.text).toContain(`Bonjour ${LINK},`);
    expect(mailTo('h4@exemple.fr').text).toContain('F-4');
    for (const mail of mails) {
      expect(mail.subject ?? '').not.toMatch(/[\r\n\u202e]/);
      expect(`${mail.text}${mail.html}`).not.toContain(RLO);
      expect(`${mail.text}${mail.html}`).not.toContain(ESC);
      // Template code in the data stays text.
      if (`${mail.text}`.includes('{{')) expect(mail.text).toContain(TEMPLATE);
    }

    // The letters and the claim file show the text as typed.
    const letters = join(dir, 'courriers', FRIDAY);
    const letter = readdirSync(letters).find((f) => f.startsWith('H4-mise_en_demeure'));
    const letterText = await pdfText(join(letters, letter!));
    expect(letterText).toContain(COMMAND);
    expect(letterText).toContain('Bâtiment <B>');
    const claim = readdirSync(join(dir, 'dossiers', FRIDAY)).find((f) => f.startsWith('H2-'));
    const claimText = await pdfText(join(dir, 'dossiers', FRIDAY, claim!));
    expect(claimText.replace(/\s+/g, ' ')).toContain(TEMPLATE);
    expect(claimText).toContain('Ffdp.exe');

    // The reports: HTML escaped, CSV cells inert, headers clean, PDF as text.
    const html = await recouvre(['rapport', '--date', FRIDAY, '--format', 'html'], { cwd: dir });
    expect(html.code).toBe(0);
    expect(html.stdout).not.toMatch(/<script|<b>1/);
    expect(html.stdout).toContain('&lt;script&gt;');
    expect(html.stdout).toContain('{{#each this}}');
    const report = await recouvre(['rapport', '--date', FRIDAY, '--format', 'csv', '--limite', '0'], {
      cwd: dir,
    });
    expect(report.code).toBe(0);
    const cells = Papa.parse<string[]>(report.stdout.replace(/^\ufeff/, ''), { delimiter: ';' }).data.flat();
    for (const cell of cells) {
      if (/^[=+@]/.test(cell)) throw new Error(`cellule active dans le rapport CSV : ${cell}`);
    }
    expect(cells).toContain(`'${COMMAND} (H4)`);
    expect(cells).toContain(`'${LINK} (H5)`);
    expect(cells).toContain(`${SCRIPT} (H1)`);
    await recouvre(['rapport', '--date', FRIDAY, '--sortie', 'rapport.pdf'], { cwd: dir });
    const reportText = (await pdfText(join(dir, 'rapport.pdf'))).replace(/\s+/g, ' ');
    expect(reportText).toContain('<script>alert(1)</script>');

    // The terminal: no escape sequence or override reaches it.
    const list = await recouvre(['factures', '--date', FRIDAY], { cwd: dir });
    expect(list.stdout).toContain('F-<b>1</b>');
    expect(list.stdout).not.toContain(RLO);
    expect(list.stdout).not.toContain(ESC);
  });
});
