import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { creditorToml, fixture, plain, query, recouvrePlain as recouvre, start, tempDir } from './cli.js';
import { pdfLines, pdfText as pdfPlain } from './pdf.js';
import { smtpForTest } from './smtp.js';

// courriers.csv as of Friday 2026-11-20:
// K1 Boulangerie <Lefèvre> & Fils (pro, Lyon): M-101 2 400 € (400 € paid) due 31/08, M-102 600 € due 14/09
// K2 Élodie Martin (private): M-201 450 € due 01/10
// K3 Garage du Centre (pro, no e-mail): M-301 980 € due 01/10
// K4 Atelier Nord (pro): M-401 1 500 € due 15/10
const FRIDAY = '2026-11-20';

const smtp = smtpForTest;

function configure(dir: string, smtpUrl: string, extra = '', timeoutSeconds = 3): void {
  writeFileSync(
    join(dir, 'recouvre.toml'),
    `${creditorToml({ bank: true })}
[smtp]
url = "${smtpUrl}"
expediteur = "Dupont & Fils <compta@dupont-renovation.fr>"
repondre_a = "recouvrement@dupont-renovation.fr"
copie_cachee = "archives@dupont-renovation.fr"
delai_secondes = ${timeoutSeconds}

[taux]
bce = { "2026-07-01" = 2.15 }
${extra}`,
  );
}

/** A company with K1 already reminded on 20/10: its next step is the mise en demeure. */
async function company(smtpUrl: string, extra = ''): Promise<string> {
  const dir = tempDir();
  configure(dir, smtpUrl, extra);
  expect((await recouvre(['import', fixture('relances/courriers.csv')], { cwd: dir })).code).toBe(0);
  expect(
    (await recouvre(['historique', 'K1', '--ajouter', 'relance', '--date', '2026-10-20'], { cwd: dir })).code,
  ).toBe(0);
  return dir;
}

interface ActionRow {
  code: string;
  step: string;
  channel: string;
  status: string;
  message_id: string | null;
  document: string | null;
  error: string | null;
}
function actions(dir: string): ActionRow[] {
  return query<ActionRow>(
    join(dir, 'recouvre.db'),
    `SELECT c.code, a.step, a.channel, a.status, a.message_id, a.document, a.error FROM actions a
     JOIN clients c ON c.id = a.client_id WHERE a.origin = 'relancer' ORDER BY a.id`,
  );
}

async function pdfText(path: string | Buffer): Promise<string> {
  return (await pdfPlain(path)).replace(/\s+/g, ' ');
}

describe('recouvre relancer: the real run', () => {
  it('sends the e-mails through a real SMTP server, writes the letters, and records everything', async () => {
    const server = await smtp();
    const dir = await company(server.url);
    const result = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Every e-mail that left counts, the mise en demeure's copy included.
    expect(server.messages).toHaveLength(3);
    expect(result.stdout).toContain('3 e-mails envoyés, 2 courriers écrits, 0 tâche, 0 échec, 0 incertaine.');
    expect(result.stdout).toContain('Courriers à imprimer, signer et poster');

    // What the clients receive.
    const byTo = new Map(
      server.messages.map((m) => [m.mail.to && 'text' in m.mail.to ? m.mail.to.text : '', m]),
    );
    expect([...byTo.keys()].sort()).toEqual([
      'atelier@nord.fr',
      'compta@lefevre.fr',
      'elodie.martin@exemple.fr',
    ]);
    const nord = byTo.get('atelier@nord.fr')!;
    expect(plain(nord.mail.subject ?? '')).toBe(
      'Relance : facture M-401 impayée (1 500,00 €) – Dupont & Fils Rénovation',
    );
    expect(nord.mail.from?.value).toEqual([
      { name: 'Dupont & Fils', address: 'compta@dupont-renovation.fr' },
    ]);
    expect(nord.mail.replyTo?.text).toBe('recouvrement@dupont-renovation.fr');
    expect(nord.envelopeTo).toEqual(['atelier@nord.fr', 'archives@dupont-renovation.fr']);
    const text = plain(nord.mail.text ?? '');
    expect(text).toContain(
      'facture M-401 du 01/09/2026, échue le 15/10/2026 (36 jours de retard) : 1 500,00 €',
    );
    // 1 500 € × 12,15 % × 36 / 365 = 17,9753 € → 17,98 €, and the €40 of a professional client.
    expect(text).toContain(
      'Elles s’élèvent à ce jour à 17,98 € de pénalités et 40,00 € d’indemnités'.replace(/’/g, "'"),
    );
    expect(text).toContain('au plus tard le 28 novembre 2026');
    expect(nord.mail.html).toContain('Dupont &amp; Fils Rénovation');
    expect(nord.mail.html).not.toContain('Dupont & Fils Rénovation');
    // A private client: no penalties, no indemnity in a relance.
    expect(plain(byTo.get('elodie.martin@exemple.fr')!.mail.text ?? '')).not.toContain('pénalités');

    // The mise en demeure: a covering e-mail with the letter attached, and the letter to post.
    const notice = byTo.get('compta@lefevre.fr')!;
    // Interest: 2 000 € × 12,15 % × 81 / 365 = 53,93 € and 600 € × 12,15 % × 67 / 365 = 13,38 €;
    // total 2 600 € + 67,31 € + 2 × 40 € = 2 747,31 €.
    expect(plain(notice.mail.subject ?? '')).toBe(
      'Mise en demeure de payer – Dupont & Fils Rénovation – 2 747,31 €',
    );
    expect(notice.mail.attachments.map((a) => a.filename)).toEqual(['K1-mise_en_demeure-2026-11-20.pdf']);
    const letter = await pdfText(notice.mail.attachments[0]!.content);
    for (const mention of [
      'LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION',
      'Boulangerie <Lefèvre> & Fils',
      "3 place de l'Église",
      '69002 Lyon',
      'Le 20 novembre 2026',
      'Objet : Mise en demeure de payer',
      'M-101 01/08/2026 31/08/2026 2 400,00 € 400,00 € 2 000,00 €',
      'M-102 15/08/2026 14/09/2026 600,00 € 0,00 € 600,00 €',
      'Pénalités de retard au 20/11/2026 (détail en annexe) 67,31 €',
      'Indemnités forfaitaires pour frais de recouvrement (40,00 € par facture) 80,00 €',
      'Total réclamé 2 747,31 €',
      'au plus tard le 28 novembre 2026, soit dans un délai de 8 jours',
      "l'article L441-10 du Code de commerce",
      'injonction de payer',
      'FR76 3000 6000 0112 3456 7890 189',
      'Marie Dupont, gérante',
      'SIREN 732 829 320 – page 1 / 2',
      // The annex: each period with its base, rate and days, adding up to the letter's figures.
      'M-101 01/09/2026 – 20/11/2026 81 2 000,00 € 12,15 % 53,93 €',
      'M-102 15/09/2026 – 20/11/2026 67 600,00 € 12,15 % 13,38 €',
      'Total des pénalités de retard 67,31 €',
      'Total des indemnités forfaitaires 80,00 €',
    ]) {
      expect(letter, mention).toContain(mention);
    }
    // What must be read at a glance stays on one line: the registered-mail mention and the IBAN.
    const lines = (await pdfLines(notice.mail.attachments[0]!.content)).map((l) => l.trim());
    expect(lines).toContain('LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION');
    expect(lines.some((l) => l.includes('FR76 3000 6000 0112 3456 7890 189'))).toBe(true);
    const posted = readdirSync(join(dir, 'courriers', FRIDAY)).sort();
    expect(posted).toEqual(['K1-mise_en_demeure-2026-11-20.pdf', 'K3-relance-2026-11-20.pdf']);
    expect(await pdfText(join(dir, 'courriers', FRIDAY, 'K3-relance-2026-11-20.pdf'))).toContain(
      'Garage du Centre',
    );

    // The store: each action done, with the message-id the client received and the letter's path.
    const rows = actions(dir);
    expect(rows.map((r) => [r.code, r.step, r.channel, r.status])).toEqual([
      ['K1', 'mise_en_demeure', 'courrier', 'fait'],
      ['K2', 'relance', 'email', 'fait'],
      ['K3', 'relance', 'courrier', 'fait'],
      ['K4', 'relance', 'email', 'fait'],
    ]);
    expect(rows[3]!.message_id).toBe(nord.mail.messageId);
    expect(rows[0]!.document).toBe(join(dir, 'courriers', FRIDAY, 'K1-mise_en_demeure-2026-11-20.pdf'));
    const journal = query<{ n: number }>(
      join(dir, 'recouvre.db'),
      "SELECT count(*) AS n FROM journal WHERE kind = 'relance'",
    );
    expect(journal[0]!.n).toBe(4);

    // A rerun the same day sends nothing new.
    const again = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 e-mail envoyé, 0 courrier écrit');
    expect(server.messages).toHaveLength(3);
    expect(actions(dir)).toHaveLength(4);
  });

  it('--sortie writes .eml files and PDFs instead of sending; with --dry-run it records nothing', async () => {
    const server = await smtp();
    const dir = await company(server.url);
    const preview = await recouvre(['relancer', '--dry-run', '--date', FRIDAY, '--sortie', 'apercu'], {
      cwd: dir,
    });
    expect(preview.code).toBe(0);
    expect(readdirSync(join(dir, 'apercu')).sort()).toEqual([
      'K1-mise_en_demeure-2026-11-20.eml',
      'K1-mise_en_demeure-2026-11-20.pdf',
      'K2-relance-2026-11-20.eml',
      'K3-relance-2026-11-20.pdf',
      'K4-relance-2026-11-20.eml',
    ]);
    const eml = await simpleParser(readFileSync(join(dir, 'apercu', 'K4-relance-2026-11-20.eml')));
    expect(plain(eml.subject ?? '')).toContain('Relance : facture M-401 impayée');
    expect(actions(dir)).toEqual([]);
    expect(existsSync(join(dir, 'courriers'))).toBe(false);

    const written = await recouvre(['relancer', '--date', FRIDAY, '--sortie', 'envoi'], { cwd: dir });
    expect(written.code).toBe(0);
    expect(readdirSync(join(dir, 'envoi'))).toHaveLength(5);
    expect(actions(dir).map((r) => r.status)).toEqual(['fait', 'fait', 'fait', 'fait']);
    expect(server.messages).toEqual([]);
  });

  it('refuses when the identity or the SMTP server is missing, naming what to add', async () => {
    const dir = await company('smtp://127.0.0.1:9');
    writeFileSync(join(dir, 'recouvre.toml'), '[creancier]\nraison_sociale = "Dupont"\n');
    const incomplete = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr).toContain(
      'creancier.siren, creancier.adresse, creancier.email, creancier.telephone',
    );
    configure(dir, 'smtp://127.0.0.1:9');
    const toml = readFileSync(join(dir, 'recouvre.toml'), 'utf8').replace(/\[smtp\][\s\S]*?\n\n/, '');
    writeFileSync(join(dir, 'recouvre.toml'), toml);
    const noSmtp = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(noSmtp.code).toBe(1);
    expect(noSmtp.stderr).toContain('Aucun serveur d’envoi configuré');
    expect(actions(dir)).toEqual([]);
  });

  it('rejects a wrong IBAN or a password in the configuration, with the key and the line', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'recouvre.toml'),
      '[creancier]\niban = "FR76 3000 6000 0112 3456 7890 188"\n\n[smtp]\nurl = "smtp://jean:secret@mail.example.fr:587"\n',
    );
    const result = await recouvre(['relancer', '--dry-run'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('recouvre.toml:2, clé « creancier.iban » : IBAN invalide');
    expect(result.stderr).toContain(
      'recouvre.toml:5, clé « smtp.url » : pas de mot de passe dans recouvre.toml',
    );
    expect(result.stderr).not.toContain('secret');
  });
});

describe('recouvre relancer: when sending goes wrong', () => {
  it('records a run against an unreachable server as failed, writes the letters, and sends at the next run', async () => {
    const dir = await company('smtp://127.0.0.1:9');
    const down = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(down.code).toBe(1);
    expect(down.stdout).toContain("Échec : K2 (relance) : serveur d'envoi injoignable");
    expect(actions(dir).map((r) => [r.code, r.status])).toEqual([
      ['K1', 'fait'],
      ['K2', 'echec'],
      ['K3', 'fait'],
      ['K4', 'echec'],
    ]);
    const server = await smtp();
    configure(dir, server.url);
    const next = await recouvre(['relancer', '--date', '2026-11-23'], { cwd: dir });
    expect(next.code).toBe(0);
    expect(server.messages.map((m) => m.envelopeTo[0]).sort()).toEqual([
      'atelier@nord.fr',
      'elodie.martin@exemple.fr',
    ]);
  });

  it('goes on after a recipient refused for good (5xx), and tries a temporary refusal (4xx) again', async () => {
    let refuse = true;
    const server = await smtp({
      rcpt: (address) =>
        address === 'elodie.martin@exemple.fr' ? 550 : address === 'atelier@nord.fr' && refuse ? 451 : null,
    });
    const dir = await company(server.url);
    const result = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Échec : K2 (relance) : refusé par le serveur : 550');
    expect(result.stdout).toContain(
      'Échec : K4 (relance) : refus temporaire, nouvel essai à la prochaine relance : 451',
    );
    // The Bcc archive copy goes through; the clients' own addresses are what count.
    const clients = () =>
      server.messages.flatMap((m) => m.envelopeTo).filter((a) => !a.startsWith('archives@'));
    expect(clients()).toEqual(['compta@lefevre.fr']);
    refuse = false;
    const retry = await recouvre(['relancer', '--date', '2026-11-23'], { cwd: dir });
    expect(clients()).toContain('atelier@nord.fr');
    expect(retry.stdout).toContain('Échec : K2 (relance) : refusé par le serveur');
  });

  it('after a run killed mid-send, reports the action as uncertain and does not resend it unless asked', async () => {
    let child: ReturnType<typeof start>['child'] | null = null;
    const server = await smtp({
      // The second message has reached the server: the process dies before it hears back.
      onMessage: async (count) => {
        if (count === 2) {
          child?.kill('SIGKILL');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      },
    });
    const dir = await company(server.url);
    const running = start(['relancer', '--date', FRIDAY], { cwd: dir });
    child = running.child;
    const killed = await running.done;
    expect(killed.code).not.toBe(0);
    expect(server.messages).toHaveLength(2);
    const pending = actions(dir).filter((r) => r.status === 'en_cours');
    expect(pending).toHaveLength(1);

    const next = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(next.stdout).toContain(
      "1 action incertaine : une relance précédente s'est arrêtée pendant l'envoi",
    );
    expect(next.stdout).toContain('recouvre relancer --renvoyer-incertains');
    const uncertainClient = pending[0]!.code;
    expect(actions(dir).find((r) => r.code === uncertainClient)?.status).toBe('incertain');
    const received = server.messages.length;
    // The rest went out; the uncertain one was not sent again.
    expect(server.messages.filter((m) => m.mail.messageId === pending[0]!.message_id)).toHaveLength(1);

    const resend = await recouvre(['relancer', '--date', '2026-11-23', '--renvoyer-incertains'], {
      cwd: dir,
    });
    expect(resend.code).toBe(0);
    expect(server.messages.length).toBe(received + 1);
  });

  it('lets one run at a time work on a database: the second waits, then refuses', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = await smtp({
      onMessage: async (count) => {
        if (count === 1) {
          arrived();
          await held;
        }
      },
    });
    const dir = await company(server.url);
    // Run A must outwait run B: its SMTP timeout is longer than B's wait for the lock.
    configure(dir, server.url, '', 30);
    const a = start(['relancer', '--date', FRIDAY], { cwd: dir });
    await first;
    const b = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    release();
    const resultA = await a.done;
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('Une autre relance ou restauration est en cours sur cette base');
    expect(resultA.code).toBe(0);
    expect(server.messages).toHaveLength(3);
  });

  it('refuses a run dated before the last one, and one on stale data unless told', async () => {
    const server = await smtp();
    const dir = await company(server.url);
    expect((await recouvre(['relancer', '--date', FRIDAY], { cwd: dir })).code).toBe(0);
    const earlier = await recouvre(['relancer', '--date', '2026-11-19'], { cwd: dir });
    expect(earlier.code).toBe(1);
    expect(earlier.stderr).toContain('Une relance réelle a déjà eu lieu le 20/11/2026');

    const today = query<{ d: string }>(
      join(dir, 'recouvre.db'),
      "SELECT max(date) AS d FROM journal WHERE kind = 'import'",
    )[0]!.d;
    const later = new Date(`${today}T12:00:00Z`);
    later.setUTCDate(later.getUTCDate() + 10);
    const future = later.toISOString().slice(0, 10);
    const stale = await recouvre(['relancer', '--date', future, '--forcer'], { cwd: dir });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('Relance refusée : le dernier import date du');
    expect(stale.stderr).toContain('--ignorer-anciennete');
    const warned = await recouvre(['relancer', '--dry-run', '--date', future, '--forcer'], { cwd: dir });
    expect(warned.stdout).toContain('Attention : le dernier import date du');
    expect(
      (await recouvre(['relancer', '--date', future, '--forcer', '--ignorer-anciennete'], { cwd: dir })).code,
    ).toBe(0);
  });
});

describe('litigation, templates and the whole journey', () => {
  it('writes the claim file at the contentieux step, lists the task, and marks it done', async () => {
    const server = await smtp();
    const dir = await company(server.url);
    await recouvre(['historique', 'K1', '--ajouter', 'mise_en_demeure', '--date', '2026-10-30'], {
      cwd: dir,
    });
    const result = await recouvre(['relancer', '--date', FRIDAY, '--client', 'K1'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('À faire : contentieux pour K1');
    const file = join(dir, 'dossiers', FRIDAY, 'K1-contentieux-2026-11-20-dossier.pdf');
    const text = await pdfText(file);
    for (const mention of [
      'Dossier de recouvrement',
      'Boulangerie <Lefèvre> & Fils (code client K1) – professionnel',
      'Total réclamé 2 747,31 €',
      'Relances effectuées',
      'mise en demeure',
      'Procédure conseillée',
      "Jusqu'à 5 000 € : la procédure simplifiée",
      'président du tribunal de commerce',
      'Cerfa n° 12946',
    ]) {
      expect(text, mention).toContain(mention);
    }
    expect(actions(dir)[0]).toMatchObject({
      step: 'contentieux',
      channel: 'tache',
      status: 'a_faire',
      document: file,
    });
    expect(server.messages).toEqual([]);
    const done = await recouvre(
      ['historique', 'K1', '--ajouter', 'contentieux', '--note', 'dossier confié à Me Martin'],
      {
        cwd: dir,
      },
    );
    expect(done.stdout).toContain('Tâche « contentieux » du client K1 marquée faite.');
    expect(actions(dir)[0]!.status).toBe('fait');
    const later = await recouvre(['relancer', '--date', '2026-11-27', '--client', 'K1'], { cwd: dir });
    expect(later.stdout).not.toContain('À faire');
  });

  it('uses the company’s own templates first, and names the file and line of a template error', async () => {
    const server = await smtp();
    const dir = await company(server.url);
    const exported = await recouvre(['modeles', 'exporter'], { cwd: dir });
    expect(exported.stdout).toContain('modèles copiés dans modeles');
    writeFileSync(
      join(dir, 'modeles', 'email', 'relance.sujet.hbs'),
      'Votre compte chez {{creancier.raison_sociale}} : {{euros total_reclame_centimes devise}} au {{date_en_lettres date_iso}}\n',
    );
    await recouvre(['relancer', '--dry-run', '--date', FRIDAY, '--sortie', 'apercu'], { cwd: dir });
    const eml = await simpleParser(readFileSync(join(dir, 'apercu', 'K4-relance-2026-11-20.eml')));
    expect(plain(eml.subject ?? '')).toBe(
      'Votre compte chez Dupont & Fils Rénovation : 1 500,00 € au 20 novembre 2026',
    );

    writeFileSync(
      join(dir, 'modeles', 'email', 'relance.texte.hbs'),
      'Bonjour,\n\nVotre code : {{client.cod}}\n',
    );
    const broken = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      `Modèle ${join(dir, 'modeles', 'email', 'relance.texte.hbs')}:3 : la variable « cod » n'existe pas`,
    );
    // Nothing left, nothing recorded: the templates are tried before the first e-mail.
    expect(server.messages).toEqual([]);
    expect(actions(dir)).toEqual([]);
  });

  it('runs a two-month journey day by day: each step once, on business days, stopped by a payment', async () => {
    const server = await smtp();
    const dir = tempDir();
    configure(dir, server.url);
    const csv = (paid: string) =>
      `N° facture;Code client;Raison sociale;Courriel;Adresse;Code postal;Ville;Date facture;Échéance;Montant TTC;Réglé\nJ-1;J1;Client Journée;paie@journee.fr;4 rue du Jour;75004;Paris;01/09/2026;01/10/2026;1 000,00;${paid}\n`;
    mkdirSync(join(dir, 'exports'));
    writeFileSync(join(dir, 'exports', 'factures.csv'), csv('0,00'));
    await recouvre(['import', 'exports/factures.csv'], { cwd: dir });
    const sent: string[] = [];
    for (
      let day = new Date('2026-10-01T12:00:00Z');
      day <= new Date('2026-11-30T12:00:00Z');
      day.setUTCDate(day.getUTCDate() + 1)
    ) {
      const date = day.toISOString().slice(0, 10);
      if (date === '2026-11-10') {
        writeFileSync(join(dir, 'exports', 'factures.csv'), csv('1 000,00'));
        await recouvre(['import', 'exports/factures.csv'], { cwd: dir });
      }
      const before = server.messages.length;
      const result = await recouvre(['relancer', '--date', date, '--ignorer-anciennete'], { cwd: dir });
      expect(result.code, `${date}: ${result.stderr}`).toBe(0);
      for (const m of server.messages.slice(before))
        sent.push(`${date} ${plain(m.mail.subject ?? '').split(' – ')[0]}`);
    }
    // Rappel at J+5 (Tue 06/10), relance at J+15 (Fri 16/10), mise en demeure at J+30: Saturday
    // 31/10, then Sunday 1 November (Toussaint), so Monday 02/11. Paid on 10/11: no litigation.
    expect(sent).toEqual([
      '2026-10-06 Rappel : facture J-1 en attente de règlement',
      '2026-10-16 Relance : facture J-1 impayée (1 000,00 €)',
      '2026-11-02 Mise en demeure de payer',
    ]);
    expect(actions(dir).map((r) => r.step)).toEqual(['rappel', 'relance', 'mise_en_demeure']);
  }, 120_000);
});
