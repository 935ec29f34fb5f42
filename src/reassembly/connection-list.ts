/**
 * Intrusive doubly-linked list of connections in order of last activity (head = idlest).
 * Moving a connection to the tail on every packet is a few pointer writes, no allocation.
 */
import type { Connection } from './connection';

export class ConnectionList {
  head: Connection | null = null;
  tail: Connection | null = null;
  size = 0;

  pushBack(c: Connection): void {
    c.listPrev = this.tail;
    c.listNext = null;
    if (this.tail !== null) this.tail.listNext = c; else this.head = c;
    this.tail = c;
    this.size++;
  }

  remove(c: Connection): void {
    if (c.listPrev !== null) c.listPrev.listNext = c.listNext; else this.head = c.listNext;
    if (c.listNext !== null) c.listNext.listPrev = c.listPrev; else this.tail = c.listPrev;
    c.listPrev = null;
    c.listNext = null;
    this.size--;
  }

  /** Marks `c` as the most recently active. */
  touch(c: Connection): void {
    if (this.tail === c) return;
    this.remove(c);
    this.pushBack(c);
  }
}
