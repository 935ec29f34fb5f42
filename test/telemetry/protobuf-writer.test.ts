import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtoWriter, WIRE_FIXED64, WIRE_LDELIM, WIRE_VARINT, varintSize } from '../../src/telemetry/protobuf-writer';
import { encodeKeyValues } from '../../src/telemetry/otlp-trace-proto';
import { kvs } from './otlp-receivers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-proto-definitions/build/src/generated/root.js');
const Resource = root.opentelemetry.proto.resource.v1.Resource;
const Span = root.opentelemetry.proto.trace.v1.Span;

test('attributes of any string, int and double decode back with the official definitions', () => {
  fc.assert(fc.property(
    fc.dictionary(fc.string({ minLength: 1, maxLength: 30 }), fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.integer(), fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean())),
    (attrs) => {
      const w = new ProtoWriter(8); // tiny: forces growth
      encodeKeyValues(w, 1, attrs);
      const decoded = kvs(Resource.toObject(Resource.decode(w.finish()), { longs: String }).attributes);
      const want: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(attrs)) want[k] = typeof v === 'number' && Object.is(v, -0) ? 0 : v;
      for (const [k, v] of Object.entries(decoded)) if (Object.is(v, -0)) decoded[k] = 0;
      assert.deepEqual(decoded, want);
    },
  ), { numRuns: 300 });
});

test('nested messages longer than 127 and 16383 bytes get multi-byte lengths', () => {
  for (const len of [0, 1, 126, 127, 128, 16383, 16384, 70000]) {
    const w = new ProtoWriter(16);
    w.tag(5, WIRE_LDELIM); // Span.name via a forked body
    w.fork();
    w.raw(Buffer.alloc(len, 0x61));
    w.ldelim();
    w.tag(7, WIRE_FIXED64); w.fixed64(1_700_000_000_123_456_789);
    w.tag(6, WIRE_VARINT); w.varint(3);
    const s = Span.toObject(Span.decode(w.finish()), { longs: String });
    assert.equal(s.name.length, len);
    assert.equal(s.startTimeUnixNano, BigInt(1_700_000_000_123_456_789).toString());
    assert.equal(s.kind, 3);
  }
});

test('varint and int64 edge values', () => {
  for (const v of [0, 1, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1]) {
    const w = new ProtoWriter(1);
    w.varint(v);
    assert.equal(w.pos, varintSize(v), `size of ${v}`);
  }
  for (const v of [-1, -(2 ** 31), -(2 ** 53 - 1), 5, -123456789012]) {
    const w = new ProtoWriter(1);
    encodeKeyValues(w, 1, { n: v });
    const got = Resource.toObject(Resource.decode(w.finish()), { longs: String }).attributes[0].value.intValue;
    assert.equal(got, String(v));
  }
});

test('unclosed and unbalanced messages are errors, not silent corruption', () => {
  const w = new ProtoWriter();
  w.fork();
  assert.throws(() => w.finish(), /unclosed/);
  const w2 = new ProtoWriter();
  assert.throws(() => w2.ldelim(), /without fork/);
});
