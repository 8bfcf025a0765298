import { describe, expect, it } from 'vitest';
import { shippedTemplatesDir, Templates, templateFiles } from '../../src/adapters/templates.js';
import type { DocumentView } from '../../src/domain/document-view.js';
import { sampleAction, sampleView } from '../bench/render.js';

const HELPERS = ['pluriel', 'euros', 'date_courte', 'date_en_lettres'];

function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysOf(inner, into);
    }
  }
  return into;
}

describe('the shipped templates', () => {
  const templates = new Templates([shippedTemplatesDir()]);
  const views: [string, DocumentView][] = [];
  for (const [step, index] of [
    ['rappel', 0],
    ['relance', 1],
    ['mise_en_demeure', 2],
  ] as const) {
    const pro = sampleView(sampleAction(1, index));
    views.push([`${step}, professionnel`, pro]);
    views.push([
      `${step}, particulier`,
      { ...pro, client: { ...pro.client, professionnel: false, particulier: true }, premier_contact: true },
    ]);
  }

  it('all render in strict mode, for every step and both kinds of client', () => {
    const names = templateFiles(shippedTemplatesDir())
      .filter((file) => !file.startsWith('partials/'))
      .map((file) => file.replace(/\.hbs$/, ''));
    expect(names.length).toBeGreaterThanOrEqual(20);
    for (const [label, view] of views) {
      for (const name of names) {
        const text = templates.render(name, view);
        expect(text.trim(), `${name} (${label})`).not.toBe('');
        expect(text, `${name} (${label})`).not.toContain('undefined');
      }
    }
  });

  it('escape every value in HTML, and not in plain text', () => {
    const [, view] = views[0]!;
    const tricky = { ...view, creancier: { ...view.creancier, raison_sociale: 'Dupont & <Fils>' } };
    expect(templates.render('email/rappel.html', tricky)).toContain('Dupont &amp; &lt;Fils&gt;');
    expect(templates.render('email/rappel.texte', tricky)).toContain('Dupont & <Fils>');
  });

  it('use helper names that no field of a view has (Handlebars would call the helper instead)', () => {
    const keys = keysOf(views[0]![1]);
    for (const helper of HELPERS) expect(keys.has(helper), helper).toBe(false);
  });
});
