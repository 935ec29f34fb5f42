/**
 * Whether the gateway's message ids on callbacks (Kannel `%I`, Jasmin `id`, Twilio `MessageSid`)
 * follow messages: one id per message, the same on every retry. Votes keep the id of the first
 * callback that reached them (`Vote.gatewayId`); VoterMatch uses them only while they do follow
 * messages. They do not when one id reaches two voters' votes (a service id, a constant), or when
 * second ids come to a share of the votes (an id per attempt; one now and then is a guess gone wrong).
 */
import type { Vote } from './vote';

/** Ids remembered with their voter, to see whether one id reaches two voters. */
const MAX_ID_VOTERS = 4096;
/** Second ids on votes before ids are taken to name attempts, and at least this share of the first ids (1/20). */
const MIN_SECOND_IDS = 8;
const SECOND_ID_SHARE = 20;

export class GatewayIds {
  /** Some vote took a callback with an id, and nothing has shown that ids do not follow messages. */
  inUse = false;
  private notMessages = false;
  private firstIds = 0;
  private secondIds = 0;
  /** Recent ids and the voter whose vote each went to (bounded; starts over when full). */
  private idVoters = new Map<string, string>();

  /** `v` took a callback with id `id`. */
  note(v: Vote, id: string): void {
    if (v.gatewayId !== undefined) {
      if (v.gatewayId !== id && ++this.secondIds >= MIN_SECOND_IDS && this.secondIds * SECOND_ID_SHARE >= this.firstIds) this.ignore();
      return;
    }
    v.gatewayId = id;
    this.firstIds++;
    if (this.notMessages) return;
    this.inUse = true;
    const voter = this.idVoters.get(id);
    if (voter !== undefined && voter !== v.matchSender) return this.ignore();
    if (this.idVoters.size >= MAX_ID_VOTERS) this.idVoters = new Map();
    this.idVoters.set(id, v.matchSender);
  }

  /** Ids have been seen not to follow messages: no longer used. */
  ignore(): void {
    this.notMessages = true;
    this.inUse = false;
    this.idVoters = new Map();
  }
}
