/** The public corpus parses with the packet counts tshark 4.0 gives (`tshark -r FILE | wc -l`). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { openCaptureFile } from '../../src/capture/open-capture-file';
import { readAll } from './capture-bytes';

const CORPUS = path.resolve(__dirname, '../../../../shared/corpus/public');

/** Frame counts from tshark 4.0.17, recorded so the test also runs where tshark is missing. */
const EXPECTED: Record<string, { packets: number; linkTypes: number[] }> = {
  'smpp_wireshark-wiki-smpp-cap_via_ndpi_smpp_in_general.pcap': { packets: 17, linkTypes: [1] },
  'derived/smpp_public-test-vectors_one-pdu-buffer-per-tcp-stream.pcap': { packets: 185, linkTypes: [1] },
  'http/http_ndpi_http-lines-split.pcap': { packets: 14, linkTypes: [1] },
  'http/http_ndpi_jsonrpc_json-post.pcap': { packets: 16, linkTypes: [1] },
  'http/http_ndpi_quickplay_sll_get-query.pcap': { packets: 155, linkTypes: [113] },
  'http/http_ndpi_softether_form-post.pcapng': { packets: 177, linkTypes: [1] },
  'http/http_ndpi_ua-split-in-two-pkts.pcapng': { packets: 115, linkTypes: [1] },
};

function tsharkTimes(file: string): number[] | null {
  try {
    const out = execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim().split('\n').map((l) => Number(l));
  } catch {
    return null;
  }
}

describe('public corpus', () => {
  test('the corpus is where the test expects it', () => {
    assert.ok(fs.existsSync(CORPUS), `missing ${CORPUS}`);
  });
  for (const [rel, want] of Object.entries(EXPECTED)) {
    test(rel, () => {
      const file = path.join(CORPUS, rel);
      const r = openCaptureFile(file);
      const got = readAll(r);
      assert.equal(got.length, want.packets);
      assert.deepEqual([...new Set(got.map((p) => p.linkType))], want.linkTypes);
      assert.deepEqual(r.stats.malformed, {});
      assert.deepEqual(r.stats.truncatedFiles, []);
      const times = tsharkTimes(file);
      if (times !== null) {
        // Same count and the same timestamps (to the µs; doubles hold ns to ~256 ns).
        assert.equal(times.length, got.length);
        got.forEach((p, i) => assert.ok(Math.abs(p.tsNs / 1e9 - times[i]) < 1e-6, `frame ${i + 1}: ${p.tsNs} vs ${times[i]}`));
      }
    });
  }
});
