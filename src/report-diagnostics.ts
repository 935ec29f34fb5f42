/**
 * Plain-language warnings for a report whose numbers would mislead on their own. Votes on the wire
 * with no callback matched to any of them show as lost (or pending) one and all; the usual cause is
 * the capture, not the app: HTTPS callbacks, callbacks outside the capture, or callbacks the agent
 * cannot read as votes. Each warning says which, and what to change.
 */

export interface DiagnosticInputs {
  tcp: { streams: Record<string, number>; tlsServers: Record<string, number> };
  /** `anomalies.tls`: directions of connections to an HTTP port that opened with TLS. */
  http: { requests: number; anomalies: Record<string, number>; byOutcome: Record<string, number> };
  votes: { total: number; callbacks: { matched: Record<string, number> } };
}

const sum = (m: Record<string, number>): number => Object.values(m).reduce((a, n) => a + n, 0);

export function reportDiagnostics(r: DiagnosticInputs): string[] {
  const votes = r.votes.total;
  // Anonymous failures (refused connections, requests naming no vote) are given to votes by time
  // alone: they say nothing of whether callbacks can be read.
  const matched = r.votes.callbacks.matched;
  if (votes === 0 || sum(matched) - (matched['anonymous-failure'] ?? 0) > 0) return [];
  const head = `${votes} vote${votes === 1 ? '' : 's'} on the wire, but no callback matched any of them, so every vote shows as lost or pending:`;
  // TLS on an unlisted port is a stream no protocol claimed (counted by server); on an HTTP port, an
  // HTTP anomaly (counted per direction, so not quoted as connections).
  const tls = r.tcp.streams.tls ?? 0;
  const https = 'may carry them as HTTPS, which cannot be read. Capture the callbacks where they travel as plain HTTP (e.g. behind the TLS terminator).';
  if (tls > 0) {
    const servers = Object.keys(r.tcp.tlsServers);
    const named = servers.slice(0, 3).join(', ') + (servers.length > 3 ? ` and ${servers.length - 3} more` : '');
    return [`${head} ${tls} TLS connection${tls === 1 ? '' : 's'} to ${named} ${https}`];
  }
  if ((r.http.anomalies.tls ?? 0) > 0) return [`${head} connections to an HTTP port that opened with TLS ${https}`];
  if (r.http.requests === 0) {
    // The app refused every callback: an outage, which the votes' states already tell.
    if ((r.http.byOutcome.refused ?? 0) > 0) return [];
    return [`${head} the capture holds no HTTP request. Capture where the gateway calls the app (interface, host, capture filter; ports.http for unusual ports).`];
  }
  return [`${head} none of the ${r.http.requests} HTTP requests carried a vote the agent could read. Check http.callbackPaths and that the callbacks name the sender, shortcode or text.`];
}
