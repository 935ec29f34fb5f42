/**
 * Callbacks as real gateways write them (the bytes below follow Kannel 1.4.5's post-xml as captured in
 * the e2e run, and Jasmin's deliverSmHttpThrower): the text must come out as the voter typed it.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CallbackExtractor, type CallbackFields } from '../../../src/protocols/http1/callback-fields';

const x = new CallbackExtractor();
x.setHeaderOffset(0);

function extract(query: string, contentType: string | null, body = ''): CallbackFields {
  const f = x.extract({ query, contentType, headers: x.headerNames.map(() => null) }, Buffer.from(body, 'latin1'));
  assert.ok(f !== null);
  return f;
}

/** Kannel 1.4.5 post-xml, its whitespace included. */
function kannelXml(oa: string, da: string, ud: string, coding: number): string {
  return `<?xml version="1.0" encoding="ISO-8859-1"?>\n<message cid="1">\n\t<submit>\n  \t\t<oa>  \t\t<number>${oa}</number>\n</oa>\n` +
    `  \t\t<da>  \t\t<number>${da}</number>\n</da>\n  \t\t<ud>${ud}</ud>\n  \t\t<pid>0</pid>\n  \t\t<dcs>  \t\t<coding>${coding}</coding>\n` +
    `  \t\t<alt-dcs>0</alt-dcs>\n  \t\t<compress>0</compress>\n</dcs>\n  \t\t<from>  \t\t<account>e2e</account>\n</from>\n` +
    `  \t\t<to>  \t\t<service>default</service>\n</to>\n  \t\t<meta-data>?smpp?</meta-data>\n\t</submit>\n</message>\n`;
}

describe('callback text as real gateways send it', () => {
  test('Kannel post-xml: <ud> URL-encoded, UTF-8 for 7-bit messages', () => {
    const f = extract('', 'text/xml', kannelXml('+447700900000', '80777', 'VOTE+A+%E2%82%AC1+well+spent', 0));
    assert.deepEqual([f.format, f.sender, f.recipient, f.text, f.smsc], ['kannel-xml', '+447700900000', '80777', 'VOTE A €1 well spent', 'e2e']);
  });

  test('Kannel post-xml: <ud> of a UCS-2 message is its UTF-16BE octets, URL-encoded', () => {
    const f = extract('', 'text/xml', kannelXml('447700900002', '80777', '%00V%00O%00T%00E%00+%00B%00+%D8%3D%DE%0D', 2));
    assert.equal(f.text, 'VOTE B 😍');
  });

  test('Jasmin: content is the raw short_message octets; binary (hex) and coding decide the text', () => {
    const ucs2 = Buffer.from('ＶＯＴＥ　Ａ', 'utf16le').swap16();
    const raw = [...ucs2].map((b) => '%' + b.toString(16).padStart(2, '0').toUpperCase()).join('');
    const base = 'id=16fd2706-8baf-433b-82eb-8c7fada847da&from=447700900123&to=80800&origin-connector=smsc01';
    // Current releases: coding as a number, binary present.
    assert.equal(extract('', 'application/x-www-form-urlencoded', `${base}&coding=8&content=${raw}&binary=${ucs2.toString('hex')}`).text, 'ＶＯＴＥ　Ａ');
    // Older releases: coding by name, no binary: the raw octets of content.
    assert.equal(extract(`${base}&coding=UCS2&content=${raw}`, null).text, 'ＶＯＴＥ　Ａ');
    // GSM 03.38 default alphabet: '@' is 0x00, '£' 0x01.
    assert.equal(extract(`${base}&coding=0&content=A+%01+%00&binary=4120012000`, null).text, 'A £ @');
  });

  test('Jasmin without a usable coding keeps content as text', () => {
    const base = 'id=1&from=447700900123&to=80800&origin-connector=smsc01&content=VOTE+C';
    assert.equal(extract(base, null).text, 'VOTE C');
    assert.equal(extract(`${base}&coding=utf8`, null).text, 'VOTE C');
    assert.equal(extract(`${base}&coding=4&binary=00ff`, null).text, 'VOTE C', '8-bit data is not text');
  });
});
