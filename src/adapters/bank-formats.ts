import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { date8, type IsoDate, makeDate } from '../domain/dates.js';
import { type Cents, decimalCents } from '../domain/money.js';
import { UserError } from '../errors.js';

/**
 * The statement formats French banks export besides CSV: OFX (Quicken, Money…), CAMT.053 (the ISO
 * 20022 XML statement) and CFONB 120 (the French banks' fixed-width format). Each gives the
 * statement's operations; credits are what reconciliation looks at.
 */
export interface StatementOperation {
  readonly line: number;
  readonly date: IsoDate;
  /** Positive for a credit, negative for a debit. */
  readonly amount: Cents;
  readonly label: string;
  readonly currency: string;
}

export type StatementFormat = 'OFX' | 'CAMT.053' | 'CFONB 120';

/** Which of these formats a file is in, from its first bytes; null for anything else (CSV). */
export function statementFormat(path: string): StatementFormat | null {
  // The first bytes only: a large export given to `import` must not be read whole for this.
  const bytes = Buffer.alloc(4000);
  const handle = openSync(path, 'r');
  let length: number;
  try {
    length = readSync(handle, bytes, 0, bytes.length, 0);
  } finally {
    closeSync(handle);
  }
  const head = bytes.subarray(0, length).toString('latin1');
  if (/OFXHEADER|<OFX>/i.test(head)) return 'OFX';
  if (/camt\.053|<BkToCstmrStmt>/i.test(head)) return 'CAMT.053';
  const first = head.split(/\r?\n/)[0] ?? '';
  if (/^01\d{5}/.test(first) && first.trimEnd().length <= 120 && /^0[1-8]/m.test(head)) return 'CFONB 120';
  return null;
}

export interface Statement {
  /** The account the statement is of, as the bank writes it (IBAN, or bank, branch and number). */
  readonly account: string | null;
  readonly operations: StatementOperation[];
}

export function readStatementFile(path: string, format: StatementFormat): Statement {
  const bytes = readFileSync(path);
  const statement =
    format === 'OFX' ? readOfx(bytes) : format === 'CAMT.053' ? readCamt(bytes) : readCfonb(bytes);
  const { operations } = statement;
  if (operations.length === 0) {
    throw new UserError(
      `Aucune opération lue dans ce relevé ${format} : vérifiez que c'est bien le relevé exporté par la banque.`,
    );
  }
  return statement;
}

/** OFX 1 (SGML, tags often left unclosed) and OFX 2 (XML): one STMTTRN per operation. */
function readOfx(bytes: Buffer): Statement {
  const head = bytes.subarray(0, 400).toString('latin1');
  const text = /CHARSET:\s*(1252|ISO-8859-1)|encoding="(windows-1252|iso-8859-1)"/i.test(head)
    ? iconv.decode(bytes, 'win1252')
    : bytes.toString('utf8');
  const currency = /<CURDEF>\s*([A-Z]{3})/i.exec(text)?.[1]?.toUpperCase() ?? 'EUR';
  const tag = (block: string, name: string) =>
    new RegExp(`<${name}>([^<\\r\\n]*)`, 'i').exec(block)?.[1]?.trim() ?? '';
  const operations: StatementOperation[] = [];
  const blocks = text.split(/<STMTTRN>/i).slice(1);
  let offset = text.split(/<STMTTRN>/i)[0]!.split('\n').length;
  for (const raw of blocks) {
    const block = raw.split(/<\/STMTTRN>/i)[0] ?? raw;
    const date = date8(tag(block, 'DTPOSTED'));
    const cents = decimalCents(tag(block, 'TRNAMT'));
    const line = offset;
    offset += raw.split('\n').length - 1;
    if (date === null || cents === null) {
      throw new UserError(`Relevé OFX, opération près de la ligne ${line} : date ou montant illisible.`);
    }
    const label = [tag(block, 'NAME'), tag(block, 'MEMO')].filter((t) => t !== '').join(' ');
    operations.push({
      line,
      date,
      amount: cents as Cents,
      label,
      currency: tag(block, 'CURRENCY') || currency,
    });
  }
  const account = [tag(text, 'BANKID'), tag(text, 'BRANCHID'), tag(text, 'ACCTID')].filter((t) => t !== '');
  return { account: account.length > 0 ? account.join(' ') : null, operations };
}

type Xml = Record<string, unknown>;
const list = (value: unknown): Xml[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as Xml[]) : [value as Xml];
const text = (value: unknown): string =>
  value === undefined || value === null
    ? ''
    : typeof value === 'object'
      ? String((value as Xml)['#text'] ?? '')
      : String(value);

/** CAMT.053: Document / BkToCstmrStmt / Stmt / Ntry, with the payer and remittance text in NtryDtls. */
function readCamt(bytes: Buffer): Statement {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
  });
  const document = parser.parse(bytes.toString('utf8')) as Xml;
  const root = ((document.Document as Xml | undefined)?.BkToCstmrStmt ?? {}) as Xml;
  const operations: StatementOperation[] = [];
  const accounts = new Set<string>();
  let index = 0;
  for (const statement of list(root.Stmt)) {
    const id = ((statement.Acct as Xml | undefined)?.Id ?? {}) as Xml;
    const account = text(id.IBAN) || text(((id.Othr ?? {}) as Xml).Id);
    if (account !== '') accounts.add(account);
    for (const entry of list(statement.Ntry)) {
      index++;
      const amount = entry.Amt as Xml | string;
      const cents = decimalCents(text(amount));
      const currency = (typeof amount === 'object' ? String(amount['@Ccy'] ?? 'EUR') : 'EUR').toUpperCase();
      const booked = (entry.BookgDt ?? entry.ValDt) as Xml | undefined;
      const date = date8(text(booked?.Dt ?? booked?.DtTm).replace(/-/g, ''));
      if (cents === null || date === null)
        throw new UserError(`Relevé CAMT.053, opération n° ${index} : date ou montant illisible.`);
      const credit = text(entry.CdtDbtInd) === 'CRDT';
      const reversal = text(entry.RvslInd) === 'true';
      const parts: string[] = [];
      for (const details of list(entry.NtryDtls)) {
        for (const tx of list(details.TxDtls)) {
          const parties = (tx.RltdPties ?? {}) as Xml;
          const debtor = (parties.Dbtr ?? {}) as Xml;
          parts.push(text(debtor.Nm) || text(((debtor.Pty ?? {}) as Xml).Nm));
          for (const u of list(((tx.RmtInf ?? {}) as Xml).Ustrd)) parts.push(text(u));
        }
      }
      parts.push(text(entry.AddtlNtryInf));
      // A reversed credit takes money back, a reversed debit gives it back.
      const sign = credit !== reversal ? 1 : -1;
      operations.push({
        line: index,
        date,
        amount: (sign * cents) as Cents,
        label: parts
          .filter((p) => p.trim() !== '')
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim(),
        currency,
      });
    }
  }
  return { account: accounts.size > 0 ? [...accounts].join(', ') : null, operations };
}

/** CFONB's signed amounts end with a letter: `{`, A–I are +0 to +9; `}`, J–R are −0 to −9. */
function cfonbAmount(field: string, decimals: number): number | null {
  const m = /^(\d{13})([{A-I}J-R])$/.exec(field);
  if (!m) return null;
  const last = m[2]!;
  const positive = last === '{' || (last >= 'A' && last <= 'I');
  const digit =
    last === '{' || last === '}' ? 0 : positive ? last.charCodeAt(0) - 64 : last.charCodeAt(0) - 73;
  const units = Number(`${m[1]}${digit}`);
  const cents = decimals >= 2 ? Math.round(units / 10 ** (decimals - 2)) : units * 10 ** (2 - decimals);
  return positive ? cents : -cents;
}

/** CFONB 120: record 04 is an operation, the 05 records after it add to its label. */
function readCfonb(bytes: Buffer): Statement {
  const lines = iconv.decode(bytes, 'win1252').split(/\r?\n/);
  const operations: (StatementOperation & { label: string })[] = [];
  let account: string | null = null;
  lines.forEach((raw, index) => {
    const record = raw.padEnd(120, ' ');
    // Record 01 (the old balance) names the account: bank, branch, account number.
    if (record.startsWith('01') && account === null) {
      account = [record.slice(2, 7), record.slice(11, 16), record.slice(21, 32)]
        .map((f) => f.trim())
        .join(' ');
    }
    if (record.startsWith('04')) {
      const currency = record.slice(16, 19).trim() || 'EUR';
      const decimals = Number(record[19]);
      const d = record.slice(34, 40);
      const date = makeDate(2000 + Number(d.slice(4, 6)), Number(d.slice(2, 4)), Number(d.slice(0, 2)));
      const cents = cfonbAmount(record.slice(90, 104), Number.isInteger(decimals) ? decimals : 2);
      if (date === null || cents === null) {
        throw new UserError(
          `Relevé CFONB, ligne ${index + 1} : date ou montant illisible (« ${record.slice(34, 40)} », « ${record.slice(90, 104)} »).`,
        );
      }
      operations.push({
        line: index + 1,
        date,
        amount: cents as Cents,
        label: record.slice(48, 79).trim(),
        currency,
      });
    } else if (record.startsWith('05') && operations.length > 0) {
      const previous = operations[operations.length - 1]!;
      const complement = record.slice(48, 118).trim();
      if (complement !== '')
        operations[operations.length - 1] = { ...previous, label: `${previous.label} ${complement}` };
    }
  });
  return { account, operations };
}
