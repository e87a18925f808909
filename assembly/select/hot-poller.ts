// A Selector's poller: every registered fd through the readiness set's Poller, or, on a host whose poll costs
// O(registered), only the hot set on busy turns with a full poll at least once per wake-up interval.
import { Errno } from "../wasi/errno";
import { monotonicNs } from "../wasi/clock";
import { ReadinessSet } from "../readiness/readiness-set";
import { Registration } from "../readiness/registration";
import { Ready } from "../readiness/interest";
import { Poller } from "./poller";
import { HotSet } from "./hot-set";
import { PollMode, PollPolicy } from "./poll-policy";

/** What is left of a caller's `timeoutMs` (< 0: no limit, 0: just look) after waiting since `sinceNs`. */
function timeLeftMs(timeoutMs: i64, sinceNs: u64): i64 {
  return timeoutMs > 0 ? max<i64>(timeoutMs - <i64>((monotonicNs() - sinceNs) / 1_000_000), 0) : timeoutMs;
}

/**
 * Polls a ReadinessSet so that a busy loop's cost per call follows the active fds:
 * - FULL mode (the start, and any host whose poll is cheap): every call polls every fd, as Poller does.
 * - HOT mode (a full poll measured at >= policy.hotCostNs): a call polls the hot set (fds ready in the
 *   current or previous interval, and fds just registered or modified), waiting at most until the next
 *   full poll is due; a full poll runs when it is due, when nothing is hot, or when a dead fd must be
 *   reported. A wait with nothing hot therefore blocks on every fd: nothing is missed, and a quiet loop
 *   wakes up only for its own timeout.
 * Dead fds are always found and reported by the full set's Poller (a hot fd in error sends the call there).
 */
export class HotPoller {
  readonly policy: PollPolicy = new PollPolicy();
  /** Status of the last wait: SUCCESS, INVAL (nothing to wait for) or the host's errno. */
  status: Errno = Errno.SUCCESS;
  /** Full polls made (every fd handed to the host), for tests and benchmarks. */
  fullPolls: i64 = 0;
  /** Hot polls made (only the hot fds handed to the host). */
  hotPolls: i64 = 0;
  private full: Poller;
  private hot: HotSet = new HotSet();
  private fullReady: Array<Registration> = [];
  private hotReady: Array<Registration> = [];

  constructor(private set: ReadinessSet) { this.full = new Poller(set); }

  /** Number of hot fds (0 in FULL mode). */
  get hotSize(): i32 { return this.hot.size; }

  /** Host calls made by the dead-fd searches. */
  get isolations(): i32 { return this.full.isolations + this.hot.isolations; }

  /** `fd` was registered or its interest changed: in HOT mode it is watched closely for one interval. */
  touched(fd: u32, interest: u8): void {
    if (this.policy.mode == PollMode.HOT) this.hot.touch(fd, interest, this.policy.epoch);
  }

  /** `fd` was unregistered. */
  removed(fd: u32): void { this.hot.remove(fd); }

  /**
   * Waits at most `timeoutMs` (< 0: no limit, 0: just look); returns the ready registrations (reused by
   * the next call) and sets `status`. Same contract as Poller.wait.
   */
  wait(timeoutMs: i64): Array<Registration> {
    const policy = this.policy;
    if (!policy.enabled) return this.pollAll(timeoutMs, false);
    if (policy.mode != PollMode.HOT) return this.pollAll(timeoutMs, true);
    const now = monotonicNs();
    if (!policy.mustPollAll(now, this.hot.size, this.set.dead.length)) {
      const ready = this.waitHot(now, timeoutMs);
      if (ready != null) return ready;
      // The interval is over (or a hot fd failed): poll every fd with what is left of the caller's timeout.
      timeoutMs = timeLeftMs(timeoutMs, now);
    }
    return this.pollAll(timeoutMs, true);
  }

  /**
   * One poll of the hot fds started at `now`, waiting at most until the next full poll is due; the ready ones,
   * or null when the caller must poll every fd now (the interval ended, or a hot fd failed).
   */
  private waitHot(now: u64, timeoutMs: i64): Array<Registration> | null {
    const policy = this.policy;
    const ready = this.hotReady;
    this.status = this.hot.wait(policy.hotTimeoutMs(now, timeoutMs), ready);
    this.hotPolls++;
    if (this.status == Errno.SUCCESS && ready.length > 0 && !this.anyError(ready)) {
      for (let i = 0, n = ready.length; i < n; i++) this.hot.mark(unchecked(ready[i]).fd, policy.epoch);
      policy.busy = true;
      return ready;
    }
    policy.busy = false;
    if (this.status == Errno.SUCCESS && ready.length == 0 && policy.callerLimited(now, timeoutMs)) return ready;
    return null;
  }

  /**
   * One poll over every fd; measures it when it did not wait, and in HOT mode rebuilds the hot set from it.
   * When that measured poll (which waited for nothing) found nothing in HOT mode, every fd has just been looked
   * at: the wait that follows is a hot one until the next full poll is due, which keeps the wake-up bound, instead
   * of a second poll over every fd (on a busy loop that second, waiting poll was most of the full polls' cost).
   */
  private pollAll(timeoutMs: i64, measure: bool): Array<Registration> {
    const policy = this.policy;
    const ready = this.fullReady;
    let sampled = false;
    /** What the poll just made without waiting cost (0: none was, or it failed). */
    let costNs: u64 = 0;
    if (measure && policy.wantsSample(timeoutMs)) {
      // Without waiting first: a clean sample of the host's cost; wait only when nothing is ready.
      const t0 = monotonicNs();
      this.status = this.full.wait(0, ready);
      this.fullPolls++;
      if (this.status == Errno.SUCCESS) {
        costNs = monotonicNs() - t0;
        policy.sample(costNs, this.set.subscriptionCount);
      }
      sampled = true;
    }
    const waitAll = !sampled || (timeoutMs != 0 && this.status == Errno.SUCCESS && ready.length == 0);
    if (sampled && waitAll && policy.mode == PollMode.HOT) {
      this.rebuildHot(ready, costNs);
      const now = monotonicNs();
      if (!policy.mustPollAll(now, this.hot.size, this.set.dead.length)) {
        const hotReady = this.waitHot(now, timeoutMs);
        if (hotReady != null) return hotReady;
        timeoutMs = timeLeftMs(timeoutMs, now);
      }
    }
    if (waitAll) {
      this.status = this.full.wait(timeoutMs, ready);
      this.fullPolls++;
      costNs = 0; // it may have waited: its cost is not known
    }
    if (!measure) return ready;
    policy.busy = ready.length > 0;
    if (policy.mode == PollMode.HOT) this.rebuildHot(ready, costNs);
    else if (this.hot.size > 0) this.hot.clear();
    return ready;
  }

  /**
   * After a full poll in HOT mode, which cost `costNs` (0: not known): the fds quiet for a whole interval leave,
   * the ready ones enter.
   */
  private rebuildHot(ready: Array<Registration>, costNs: u64): void {
    const policy = this.policy;
    this.hot.evictBefore(policy.epoch);
    policy.fullPollDone(monotonicNs(), costNs);
    for (let i = 0, n = ready.length; i < n; i++) {
      const reg = unchecked(ready[i]);
      if (reg.dead || (reg.ready & (Ready.READ | Ready.WRITE)) == 0) continue;
      this.hot.touch(reg.fd, reg.interest, policy.epoch);
    }
  }

  /** True when a hot poll reported an error; the failing fds leave the hot set (the full set reports them). */
  private anyError(ready: Array<Registration>): bool {
    let any = false;
    for (let i = 0, n = ready.length; i < n; i++) {
      const reg = unchecked(ready[i]);
      if (reg.ready & Ready.ERROR) { this.hot.remove(reg.fd); any = true; }
    }
    return any;
  }
}
