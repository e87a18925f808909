import {
  EventType, SUBSCRIPTION_SIZE, copySubscription, writeClockSubscription, writeFdSubscription,
} from "../wasi/layout";
import { Errno } from "../wasi/errno";
import { Ready, isValidInterest } from "./interest";
import { Registration } from "./registration";
import { itemAt, lengthOf } from "./array-reads";
import { JOURNAL_SIZE, journalMark, journalStart } from "./subscription-journal";

/**
 * userdata of a subscription: the registration's id shifted left, the low bit says write (1) or read (0). An id,
 * not the fd: it indexes an array, so a poll finds the registration of each event without a hash lookup.
 */
// @ts-ignore: decorator
@inline export function userdataFor(id: i32, write: bool): u64 { return (<u64>id << 1) | <u64>write; }

/** Subscription slots a new set starts with. */
const INITIAL_SLOTS: i32 = 16;
/** Largest array clear() keeps (48 KiB): a reused set allocates nothing for polls up to that size. */
const KEEP_SLOTS: i32 = 1024;

/**
 * The registered fds and the poll_oneoff subscription array that mirrors them.
 *
 * The array is dense and kept up to date on every change (O(1): a removed subscription's hole is
 * filled by the last one), so a poll hands it to the host as is, and decoding costs only the events
 * the host returns. fds are looked up in a hash map (they may be sparse and never reused), events by the id in
 * their userdata (a dense array: ids of removed registrations are reused).
 * One slot past the end is always free for the poll's clock subscription.
 * Every slot written is recorded in the subscription journal before the array (subscription-journal.ts), so a
 * host that keeps a copy of the array re-reads only those slots.
 * The array is an ArrayBuffer the collector owns, so a set that is dropped frees everything.
 */
export class ReadinessSet {
  private byFd: Map<u32, Registration> = new Map();
  /** Registrations by id (the id travels in each subscription's userdata); a removed one's id is reused. */
  private byId: Array<Registration | null> = [];
  private freeIds: Array<i32> = [];
  /** Owner of each subscription slot, so a move can fix the moved registration's slot index. */
  private owners: Array<Registration> = [];
  /** Backing store of the journal and the subscription array after it; `subs` is the array's address (the
   *  collector never moves the buffer). */
  private buffer: ArrayBuffer = new ArrayBuffer(0);
  private subs: usize = 0;
  private capacity: i32 = 0;
  /** Registrations the host rejected; reported as errors on every poll until removed. */
  private deadList: Array<Registration> = [];

  constructor() { this.grow(INITIAL_SLOTS); }

  /** Number of registered fds (dead ones included). */
  @inline get size(): i32 { return this.byFd.size; }
  /** Number of live subscriptions in the array. */
  @inline get subscriptionCount(): i32 { return lengthOf(this.owners); }
  /** Address of the dense subscription array (with one free slot after the last subscription). */
  @inline get subscriptions(): usize { return this.subs; }
  /** Registrations the host rejected, in the order they were found. */
  @inline get dead(): Array<Registration> { return this.deadList; }

  /**
   * The registration a poll event's userdata names, or null (an id the set never gave, or one since removed:
   * only a confused host answers those).
   */
  byUserdata(ud: u64): Registration | null {
    const id = ud >> 1;
    const ids = this.byId;
    if (id >= <u64>lengthOf(ids)) return null;
    // Not the checked accessor: it is a call with a frame of its own, once per event.
    return itemAt(ids, <i32>id);
  }

  /** The registration of `fd`, or null. */
  get(fd: u32): Registration | null {
    return this.byFd.has(fd) ? this.byFd.get(fd) : null;
  }

  /** Registers `fd`. EXIST when it already is, INVAL for an empty or unknown interest. */
  add(fd: u32, interest: u8, token: u64): Errno {
    if (!isValidInterest(interest)) return Errno.INVAL;
    if (this.byFd.has(fd)) return Errno.EXIST;
    const reg = new Registration(fd, interest, token);
    const ids = this.freeIds;
    if (ids.length > 0) {
      reg.id = ids.pop();
      this.byId[reg.id] = reg;
    } else {
      reg.id = this.byId.length;
      this.byId.push(reg);
    }
    this.byFd.set(fd, reg);
    this.subscribe(reg);
    return Errno.SUCCESS;
  }

  /** Changes the interest and token of `fd`. NOENT when unregistered, INVAL for a bad interest. */
  modify(fd: u32, interest: u8, token: u64): Errno {
    if (!isValidInterest(interest)) return Errno.INVAL;
    if (!this.byFd.has(fd)) return Errno.NOENT;
    const reg = this.byFd.get(fd);
    reg.token = token;
    if (reg.interest == interest) return Errno.SUCCESS;
    reg.interest = interest;
    if (!reg.dead) {
      this.unsubscribe(reg);
      this.subscribe(reg);
    }
    return Errno.SUCCESS;
  }

  /** Forgets `fd`. NOENT when it is not registered. */
  remove(fd: u32): Errno {
    if (!this.byFd.has(fd)) return Errno.NOENT;
    const reg = this.byFd.get(fd);
    this.byFd.delete(fd);
    this.byId[reg.id] = null;
    this.freeIds.push(reg.id);
    if (reg.dead) {
      const i = this.deadList.indexOf(reg);
      if (i >= 0) this.deadList.splice(i, 1);
    } else {
      this.unsubscribe(reg);
    }
    return Errno.SUCCESS;
  }

  /** Takes `reg` out of the polls for good (until removed) and remembers why. */
  markDead(reg: Registration, errno: u16): void {
    if (reg.dead) return;
    reg.dead = true;
    reg.errno = errno;
    this.unsubscribe(reg);
    this.deadList.push(reg);
  }

  /** Writes the poll's clock subscription into the free slot after the last subscription. */
  writeClock(userdata: u64, clockId: u32, timeoutNs: u64): void {
    const slot = lengthOf(this.owners);
    writeClockSubscription(this.slotAddress(slot), userdata, clockId, timeoutNs);
    this.journaled(slot);
  }

  /** The registration that owns subscription slot `i`. */
  ownerOf(i: i32): Registration { return unchecked(this.owners[i]); }

  /** Every registration, in no particular order (O(n): for the failure path and close). */
  all(): Array<Registration> { return this.byFd.values(); }

  /**
   * Forgets every fd. The subscription array is kept for reuse while it is small, and goes back to its initial
   * size once it grew past KEEP_SLOTS, so a set reused after a large poll does not hold it. The id table (4 bytes
   * an fd) is kept: rebuilding it on every call of a large list-based select() was garbage for nothing.
   */
  clear(): void {
    this.byFd.clear();
    this.byId.length = 0;
    this.freeIds.length = 0;
    this.owners.length = 0;
    this.deadList.length = 0;
    if (this.capacity > KEEP_SLOTS) this.grow(INITIAL_SLOTS);
  }

  private subscribe(reg: Registration): void {
    if (reg.interest & Ready.READ) reg.readSlot = this.append(reg, false);
    if (reg.interest & Ready.WRITE) reg.writeSlot = this.append(reg, true);
  }

  private unsubscribe(reg: Registration): void {
    if (reg.writeSlot >= 0) { this.removeSlot(reg.writeSlot); reg.writeSlot = -1; }
    if (reg.readSlot >= 0) { this.removeSlot(reg.readSlot); reg.readSlot = -1; }
  }

  private append(reg: Registration, write: bool): i32 {
    const slot = this.owners.length;
    if (slot + 1 >= this.capacity) this.grow(this.capacity * 2);
    this.owners.push(reg);
    writeFdSubscription(this.slotAddress(slot), userdataFor(reg.id, write),
      write ? EventType.FD_WRITE : EventType.FD_READ, reg.fd);
    this.journaled(slot);
    return slot;
  }

  private removeSlot(slot: i32): void {
    const last = this.owners.length - 1;
    if (slot != last) {
      const moved = unchecked(this.owners[last]);
      copySubscription(this.slotAddress(slot), this.slotAddress(last));
      this.journaled(slot);
      unchecked(this.owners[slot] = moved);
      if (moved.readSlot == last) moved.readSlot = slot; else moved.writeSlot = slot;
    }
    this.owners.pop();
  }

  @inline private slotAddress(slot: i32): usize { return this.subs + <usize>slot * SUBSCRIPTION_SIZE; }

  /** Lists `slot`, just written, in the journal before the array. */
  @inline private journaled(slot: i32): void { journalMark(this.subs - JOURNAL_SIZE, slot); }

  /** Moves the subscriptions into an array of `capacity` slots (never fewer than are in use), after a new journal. */
  private grow(capacity: i32): void {
    const next = new ArrayBuffer(<i32>JOURNAL_SIZE + capacity * <i32>SUBSCRIPTION_SIZE);
    journalStart(changetype<usize>(next));
    const at = changetype<usize>(next) + JOURNAL_SIZE;
    if (this.subs != 0) memory.copy(at, this.subs, <usize>this.owners.length * SUBSCRIPTION_SIZE);
    this.buffer = next; // the old array is the collector's to free
    this.subs = at;
    this.capacity = capacity;
  }
}
