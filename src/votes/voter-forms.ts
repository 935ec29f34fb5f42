/**
 * How a voter appears in the votes stage: the key its votes and callbacks are matched by, the sender
 * written out (lost-vote lists, the store), and the number's last digits (matched when a gateway
 * rewrote the number's form) as votes hold them and as the store keeps them. Numbers are matched as
 * they are until votes resumed from the store must be matched too (`byStoredForms`): the store keeps
 * no number, only its hash and its tail through a keyed permutation, so from then on keys and tails
 * take those forms.
 */
import type { PhonePrivacy } from '../common/phone-privacy';
import { numberTail } from './address';
import type { Vote } from './vote';
import type { VoterEntry } from './voter-index';

/** Match key of an empty (normalised) sender outside `clear` mode; no normalised number is this. */
export const EMPTY_NUMBER = '\u0000';

export class VoterForms {
  /** Keys are the voters' HMACs and tails their stored form: set once votes were resumed (hash mode). */
  private byStored = false;

  constructor(private readonly privacy: PhonePrivacy) {}

  /** From now on, match by the forms the store keeps (after votes were resumed from it; hash mode only). */
  matchStoredForms(): void {
    this.byStored = this.privacy.mode === 'hash';
  }

  /**
   * The key that matches callbacks and groups a voter's votes, by normalised number: the number
   * itself (it never leaves the process: the output form is made when a vote is written out), or
   * the sender as stored. An empty number gets a key of its own: '' means "no known sender" to the
   * counting policies, and only `clear` mode writes an empty number out as ''.
   */
  matchKey(normalized: string): string {
    if (this.byStored) return this.privacy.hashUncached(normalized);
    return normalized === '' && this.privacy.mode !== 'clear' ? EMPTY_NUMBER : normalized;
  }

  /** The tail a new vote from `number` holds: plain, or as stored (made once per voter, on `e`). */
  voteTail(e: VoterEntry, number: string): number {
    return this.byStored ? this.storedTail(e, numberTail(number)) : numberTail(number);
  }

  /** A callback's sender's tail in the form votes hold it. */
  callbackTail(sender: string): number {
    return this.byStored ? this.privacy.tail(numberTail(sender)) : numberTail(sender);
  }

  /** The vote's tail as the store keeps it (hashed unless clear). */
  storedTailOf(v: Vote): number {
    return this.byStored ? v.senderTail : this.storedTail(v.entry, v.senderTail);
  }

  /** The vote's sender as configured for output (hash, '' or digits), made on first use, once per voter. */
  senderOf(v: Vote): string {
    let s = v.sender;
    if (s === undefined) {
      // The voter's entry keeps the output form (its key is the vote's match key).
      const e = v.entry;
      s = e === undefined ? undefined : e.sender;
      if (s === undefined) {
        const key = v.matchSender;
        if (this.privacy.mode === 'drop') s = '';
        else if (this.privacy.mode === 'clear' || this.byStored) s = key;
        else s = this.privacy.hash(key === EMPTY_NUMBER ? '' : key);
        if (e !== undefined) e.sender = s;
      }
      v.sender = s;
    }
    return s;
  }

  /** A plain tail as the store keeps it, once per voter (on `e`). */
  private storedTail(e: VoterEntry | undefined, tail: number): number {
    let t = e === undefined ? undefined : e.storedTail;
    if (t === undefined) {
      t = this.privacy.tail(tail);
      if (e !== undefined) e.storedTail = t;
    }
    return t;
  }
}
