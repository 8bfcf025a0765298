import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { date8, type IsoDate, isoDate } from '../../domain/dates.js';
import type { EInvoice, EInvoiceSyntax, EParty } from '../../domain/einvoice.js';
import { sirenFrom } from '../../domain/einvoice.js';
import { type Cents, decimalCents } from '../../domain/money.js';

/**
 * Readers of the two EN 16931 syntaxes: UN/CEFACT CII (D16B, as in Factur-X, and the older
 * ZUGFeRD 1 `CrossIndustryDocument`) and OASIS UBL 2.1 (`Invoice`, `CreditNote`). Namespace
 * prefixes are dropped when parsing (files name them as they like); the XPaths in the messages use
 * the usual ones, so that a user can find the element in the file.
 */

export type XmlRead =
  | { readonly ok: true; readonly invoice: EInvoice }
  | { readonly ok: false; readonly problem: string };

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

/** A step into a parsed element; `ram:X` and `X` name the same child, the first when repeated. */
function child(node: unknown, name: string): unknown {
  if (node === null || typeof node !== 'object') return undefined;
  const value = (node as Node)[name.slice(name.indexOf(':') + 1)];
  return Array.isArray(value) ? value[0] : value;
}

function children(node: unknown, name: string): unknown[] {
  if (node === null || typeof node !== 'object') return [];
  const value = (node as Node)[name.slice(name.indexOf(':') + 1)];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function at(node: unknown, path: string): unknown {
  let current = node;
  for (const step of path.split('/')) current = child(current, step);
  return current;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return String((value as Node)['#text'] ?? '').trim();
  return String(value).trim();
}

const text = (node: unknown, path: string) => textOf(at(node, path));
const attribute = (node: unknown, path: string, name: string): string => {
  const value = at(node, path);
  return value !== null && typeof value === 'object' ? String((value as Node)[`@${name}`] ?? '') : '';
};

class Missing extends Error {}

/** Reads an element's text, or names it by its XPath when a mandatory one is absent. */
class Reader {
  constructor(
    private readonly root: unknown,
    private readonly rootPath: string,
  ) {}

  optional(path: string, from: unknown = this.root): string {
    return text(from, path);
  }

  required(path: string, what: string, from: unknown = this.root, fromPath = ''): string {
    const value = text(from, path);
    if (value === '') {
      throw new Missing(`champ obligatoire absent : ${this.rootPath}${fromPath}/${path} (${what})`);
    }
    return value;
  }

  amount(path: string, what: string, from: unknown, fromPath: string, required: boolean): Cents | null {
    const raw = required ? this.required(path, what, from, fromPath) : text(from, path);
    if (raw === '') return null;
    const value = decimalCents(raw);
    if (value === null) {
      throw new Missing(`${this.rootPath}${fromPath}/${path} (${what}) : « ${raw} » n'est pas un montant`);
    }
    return value;
  }

  date(raw: string, path: string, what: string, read: (raw: string) => IsoDate | null): IsoDate {
    const value = read(raw);
    if (value === null) throw new Missing(`${this.rootPath}${path} (${what}) : date « ${raw} » illisible`);
    return value;
  }
}

const ROOTS: Readonly<Record<string, { syntax: EInvoiceSyntax; path: string }>> = {
  CrossIndustryInvoice: { syntax: 'CII', path: '/rsm:CrossIndustryInvoice' },
  CrossIndustryDocument: { syntax: 'ZUGFeRD 1', path: '/rsm:CrossIndustryDocument' },
  Invoice: { syntax: 'UBL', path: '/Invoice' },
  CreditNote: { syntax: 'UBL', path: '/CreditNote' },
};

/** Reads an e-invoice's XML; the problem says what is wrong, with the XPath of a missing field. */
export function readInvoiceXml(xml: string): XmlRead {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return {
      ok: false,
      problem: `XML mal formé, ligne ${valid.err.line}, colonne ${valid.err.col} : ${valid.err.msg}`,
    };
  }
  const document = parser.parse(xml) as Node;
  const rootName = Object.keys(document).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  const root = rootName === undefined ? undefined : ROOTS[rootName];
  if (rootName === 'Document' && /BkToCstmr/.test(xml.slice(0, 4096))) {
    return {
      ok: false,
      problem:
        "relevé bancaire (ISO 20022 camt), pas une facture : pour les règlements qu'il contient, recouvre rapprocher sur ce fichier",
    };
  }
  if (rootName === undefined || root === undefined) {
    return {
      ok: false,
      problem: `ce XML n'est pas une facture CII ni UBL (élément racine <${rootName ?? '?'}>, attendu <rsm:CrossIndustryInvoice>, <Invoice> ou <CreditNote>)`,
    };
  }
  const node = document[rootName];
  const reader = new Reader(node, root.path);
  try {
    const invoice =
      root.syntax === 'UBL'
        ? readUbl(reader, node, rootName === 'CreditNote')
        : readCii(reader, node, root.syntax === 'ZUGFeRD 1');
    return { ok: true, invoice };
  } catch (error) {
    if (error instanceof Missing) return { ok: false, problem: error.message };
    throw error;
  }
}

/** A legal identifier with its scheme (ISO 6523 ICD: 0002 SIREN, 0009 SIRET), when the file gives one. */
interface LegalId {
  readonly id: string;
  readonly scheme: string;
}

/**
 * The SIREN of a party: from an identifier of scheme 0002 or 0009, or one without a scheme when the
 * party is in France (a Norwegian organisation number also has nine digits), else from a French
 * VAT number.
 */
function party(fields: Omit<EParty, 'siren'> & { readonly legal: readonly LegalId[] }): EParty {
  const { legal, ...rest } = fields;
  const french = fields.country === '' || fields.country.toUpperCase() === 'FR';
  const siren =
    legal
      .filter(
        (l) => l.id !== '' && (l.scheme === '0002' || l.scheme === '0009' || (l.scheme === '' && french)),
      )
      .map((l) => sirenFrom(l.id))
      .find((s) => s !== null) ?? sirenFrom(fields.vat);
  return { ...rest, siren };
}

const legalId = (node: unknown, path: string): LegalId => ({
  id: text(node, path),
  scheme: attribute(node, path, 'schemeID'),
});

const orNull = (value: string) => (value === '' ? null : value);

function ciiParty(reader: Reader, node: unknown, path: string, what: string): EParty {
  const contact = child(node, 'ram:DefinedTradeContact');
  const address = child(node, 'ram:PostalTradeAddress');
  const taxIds = children(node, 'ram:SpecifiedTaxRegistration').map((t) => ({
    id: text(t, 'ram:ID'),
    scheme: attribute(t, 'ram:ID', 'schemeID'),
  }));
  const uri = child(node, 'ram:URIUniversalCommunication');
  return party({
    name: reader.required('ram:Name', `nom du ${what}`, node, path),
    legal: [
      legalId(node, 'ram:SpecifiedLegalOrganization/ram:ID'),
      ...children(node, 'ram:GlobalID').map((g) => ({
        id: textOf(g),
        scheme: g !== null && typeof g === 'object' ? String((g as Node)['@schemeID'] ?? '') : '',
      })),
    ],
    vat: orNull(taxIds.find((t) => t.scheme === 'VA')?.id ?? ''),
    id: orNull(text(node, 'ram:ID')),
    email: orNull(
      text(contact, 'ram:EmailURIUniversalCommunication/ram:URIID') ||
        (attribute(uri, 'ram:URIID', 'schemeID') === 'EM' ? text(uri, 'ram:URIID') : ''),
    ),
    phone: orNull(text(contact, 'ram:TelephoneUniversalCommunication/ram:CompleteNumber')),
    contact: orNull(text(contact, 'ram:PersonName') || text(contact, 'ram:DepartmentName')),
    street: ['ram:LineOne', 'ram:LineTwo', 'ram:LineThree']
      .map((l) => text(address, l))
      .filter((l) => l !== ''),
    postcode: text(address, 'ram:PostcodeCode'),
    city: text(address, 'ram:CityName'),
    country: text(address, 'ram:CountryID'),
  });
}

function readCii(reader: Reader, root: unknown, zugferd1: boolean): EInvoice {
  const names = zugferd1
    ? {
        document: 'rsm:HeaderExchangedDocument',
        transaction: 'rsm:SpecifiedSupplyChainTradeTransaction',
        agreement: 'ram:ApplicableSupplyChainTradeAgreement',
        settlement: 'ram:ApplicableSupplyChainTradeSettlement',
        summation: 'ram:SpecifiedTradeSettlementMonetarySummation',
      }
    : {
        document: 'rsm:ExchangedDocument',
        transaction: 'rsm:SupplyChainTradeTransaction',
        agreement: 'ram:ApplicableHeaderTradeAgreement',
        settlement: 'ram:ApplicableHeaderTradeSettlement',
        summation: 'ram:SpecifiedTradeSettlementHeaderMonetarySummation',
      };
  const documentPath = `/${names.document}`;
  const document = child(root, names.document);
  const number = reader.required('ram:ID', 'numéro de facture', document, documentPath);
  const typeCode = reader.required('ram:TypeCode', 'type de document', document, documentPath);
  const issuePath = 'ram:IssueDateTime/udt:DateTimeString';
  const issueDate = reader.date(
    reader.required(issuePath, "date d'émission", document, documentPath),
    `${documentPath}/${issuePath}`,
    "date d'émission",
    date8,
  );
  const transactionPath = `/${names.transaction}`;
  const transaction = child(root, names.transaction);
  const agreementPath = `${transactionPath}/${names.agreement}`;
  const agreement = child(transaction, names.agreement);
  const settlementPath = `${transactionPath}/${names.settlement}`;
  const settlement = child(transaction, names.settlement);
  const summationPath = `${settlementPath}/${names.summation}`;
  const summation = child(settlement, names.summation);
  const terms = children(settlement, 'ram:SpecifiedTradePaymentTerms');
  const dueRaw = terms.map((t) => text(t, 'ram:DueDateDateTime/udt:DateTimeString')).find((d) => d !== '');
  const grandTotal = reader.amount(
    'ram:GrandTotalAmount',
    'total TTC',
    summation,
    summationPath,
    true,
  ) as Cents;
  return {
    syntax: zugferd1 ? 'ZUGFeRD 1' : 'CII',
    number,
    typeCode,
    creditNoteDocument: false,
    issueDate,
    dueDate:
      dueRaw === undefined
        ? null
        : reader.date(
            dueRaw,
            `${settlementPath}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString`,
            "date d'échéance",
            date8,
          ),
    terms: terms
      .map((t) => text(t, 'ram:Description'))
      .filter((d) => d !== '')
      .join(' ; '),
    currency: reader.required('ram:InvoiceCurrencyCode', 'devise', settlement, settlementPath).toUpperCase(),
    grandTotal,
    prepaid:
      reader.amount('ram:TotalPrepaidAmount', 'déjà payé', summation, summationPath, false) ?? (0 as Cents),
    duePayable: reader.amount('ram:DuePayableAmount', 'reste à payer', summation, summationPath, false),
    referencedInvoice: orNull(text(settlement, 'ram:InvoiceReferencedDocument/ram:IssuerAssignedID')),
    seller: ciiParty(
      reader,
      child(agreement, 'ram:SellerTradeParty'),
      `${agreementPath}/ram:SellerTradeParty`,
      'vendeur',
    ),
    buyer: ciiParty(
      reader,
      child(agreement, 'ram:BuyerTradeParty'),
      `${agreementPath}/ram:BuyerTradeParty`,
      'client',
    ),
  };
}

function ublParty(reader: Reader, root: unknown, role: string, what: string): EParty {
  const path = `/cac:${role}/cac:Party`;
  const node = at(root, `cac:${role}/cac:Party`);
  const address = child(node, 'cac:PostalAddress');
  const contact = child(node, 'cac:Contact');
  const endpoint = child(node, 'cbc:EndpointID');
  const endpointScheme = attribute(node, 'cbc:EndpointID', 'schemeID');
  const taxSchemes = children(node, 'cac:PartyTaxScheme');
  const vat =
    taxSchemes.map((t) => text(t, 'cbc:CompanyID')).find((id) => /^[A-Z]{2}/i.test(id)) ??
    (endpointScheme === '9957' ? textOf(endpoint) : '');
  const name =
    text(node, 'cac:PartyName/cbc:Name') || text(node, 'cac:PartyLegalEntity/cbc:RegistrationName');
  if (name === '') reader.required('cac:PartyName/cbc:Name', `nom du ${what}`, node, path);
  return party({
    name,
    legal: [
      legalId(node, 'cac:PartyLegalEntity/cbc:CompanyID'),
      {
        id: textOf(endpoint),
        scheme: endpointScheme === '0002' || endpointScheme === '0009' ? endpointScheme : 'autre',
      },
      ...children(node, 'cac:PartyIdentification').map((p) => legalId(p, 'cbc:ID')),
    ],
    vat: orNull(vat),
    id: orNull(text(node, 'cac:PartyIdentification/cbc:ID')),
    email: orNull(text(contact, 'cbc:ElectronicMail') || (endpointScheme === 'EM' ? textOf(endpoint) : '')),
    phone: orNull(text(contact, 'cbc:Telephone')),
    contact: orNull(text(contact, 'cbc:Name')),
    street: [
      text(address, 'cbc:StreetName'),
      text(address, 'cbc:AdditionalStreetName'),
      ...children(address, 'cac:AddressLine').map((l) => text(l, 'cbc:Line')),
    ].filter((l) => l !== ''),
    postcode: text(address, 'cbc:PostalZone'),
    city: text(address, 'cbc:CityName'),
    country: text(address, 'cac:Country/cbc:IdentificationCode'),
  });
}

function readUbl(reader: Reader, root: unknown, creditNote: boolean): EInvoice {
  const number = reader.required('cbc:ID', 'numéro de facture');
  const typeCode =
    reader.optional(creditNote ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode') ||
    (creditNote ? '381' : '380');
  const issueDate = reader.date(
    reader.required('cbc:IssueDate', "date d'émission"),
    '/cbc:IssueDate',
    "date d'émission",
    isoDate,
  );
  const dueRaw =
    reader.optional('cbc:DueDate') ||
    children(root, 'cac:PaymentMeans')
      .map((m) => text(m, 'cbc:PaymentDueDate'))
      .find((d) => d !== '') ||
    '';
  const totalsPath = '/cac:LegalMonetaryTotal';
  const totals = child(root, 'cac:LegalMonetaryTotal');
  return {
    syntax: 'UBL',
    number,
    typeCode,
    creditNoteDocument: creditNote,
    issueDate,
    dueDate: dueRaw === '' ? null : reader.date(dueRaw, '/cbc:DueDate', "date d'échéance", isoDate),
    terms: children(root, 'cac:PaymentTerms')
      .map((t) => text(t, 'cbc:Note'))
      .filter((n) => n !== '')
      .join(' ; '),
    currency: reader.required('cbc:DocumentCurrencyCode', 'devise').toUpperCase(),
    grandTotal: reader.amount('cbc:TaxInclusiveAmount', 'total TTC', totals, totalsPath, true) as Cents,
    prepaid: reader.amount('cbc:PrepaidAmount', 'déjà payé', totals, totalsPath, false) ?? (0 as Cents),
    duePayable: reader.amount('cbc:PayableAmount', 'reste à payer', totals, totalsPath, true),
    referencedInvoice: orNull(
      reader.optional('cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID') ||
        reader.optional('cac:BillingReference/cac:CreditNoteDocumentReference/cbc:ID'),
    ),
    seller: ublParty(reader, root, 'AccountingSupplierParty', 'vendeur'),
    buyer: ublParty(reader, root, 'AccountingCustomerParty', 'client'),
  };
}
