// When a selector polls only its hot set and when it polls every registered fd. The mode is one enum whose
// transitions all happen in PollPolicy.decide(), from measured costs.

/** How a selector polls. */
export enum PollMode {
  /** Every select polls every registered fd: the host's poll is cheap (it tracks changes itself), or the hot set is off. */
  FULL = 0,
  /** Busy turns poll the hot set only; every registered fd is polled again at least once per wake-up interval. */
  HOT = 1,
  /**
   * FULL for good: switching between the hot array and the full one made full polls much dearer, so the host
   * caches only the last array it was handed (an older Node host) and gains nothing from a hot set.
   */
  FULL_ONLY = 2,
}

/** Full polls whose cost is measured before the mode is decided again. */
const WINDOW: i32 = 8;
/** In FULL mode one select in SAMPLE_EVERY is measured: the clock reads stay off the common path. */
const SAMPLE_EVERY: u32 = 16;
/**
 * A full poll dearer per subscription than this many times its cost before the hot set was used means switching
 * arrays costs the host. Per subscription, since connections keep arriving after the switch. (On the Node host,
 * which keeps a copy per array, a full poll after an interval of hot ones still costs 2-4x one right after
 * another, its caches being cold; it stays below hotCostNs, so this never applies to it.)
 */
const SWITCH_PENALTY: u64 = 4;
/**
 * True when the host may cache the subscription array it is handed, so that switching arrays can cost it
 * (an older Node host, which kept a single copy).
 * The component backend (assembly/wasi-p2/poll.ts) builds its pollable list on every call
 * and wasmtime makes one future per pollable per call: there is nothing to invalidate, and its cost per
 * subscription grows with the number of sockets (cache misses), which the penalty test would mistake for a
 * switching cost and go back to full polls for good.
 */
const HOST_MAY_CACHE_ARRAY: bool = !isDefined(WASMUX_SOCKETS_P2);
/**
 * After each full poll the next one waits FULL_SHARE times that poll's own cost, so that full polls take at most
 * 1/(FULL_SHARE + 1) of a busy loop in every cycle, whatever the scatter of their costs (~9 %).
 */
const FULL_SHARE: u64 = 10;
/**
 * A full poll is charged at most STALL_FACTOR times the typical one (the median of the last window): beyond that the
 * process was stalled (descheduled, stopped), which says nothing of the host's cost, and a stall must not push the
 * next full poll out so far that idle fds starve.
 */
const STALL_FACTOR: u64 = 4;

/**
 * Costs and deadlines behind the hot set. The host's cost of a full poll is the fastest of WINDOW polls made
 * without waiting (timeout 0): on a host whose poll_oneoff is O(registered) (wasmtime: one poll(2) over every
 * fd) it is large, on a host that caches the subscription array (the Node host) it is small, a byte compare of the
 * array (~15 us at 10,000 fds, ~2 us at 100). At or above `hotCostNs` the selector uses the hot set, below it
 * polls everything. How long full polls really take on a loaded machine is
 * another matter (the typical one may cost several times the fastest): the interval after a full poll follows
 * that poll's own cost, not the fastest.
 *
 * A host that caches one array and re-reads it when it changes (the Node host did, before it kept one copy per
 * array address) pays for every switch between the hot array and the full one: when a full poll made in HOT mode
 * costs more per subscription than SWITCH_PENALTY times what it cost before, the selector goes back to full polls
 * for good (FULL_ONLY).
 *
 * The wake-up bound: in HOT mode a registered fd that becomes ready is seen by the first full poll at most
 * max(wakeBoundMs, FULL_SHARE x the previous full poll's own cost) after the previous one, plus that poll's own
 * time. The own cost counts at most STALL_FACTOR times the typical one; a full poll that waited (its cost is not
 * known) counts as typical.
 */
export class PollPolicy {
  mode: PollMode = PollMode.FULL;
  /** Lower bound of the interval between full polls in HOT mode, in ms; 0 turns the hot set off (every select polls every fd). */
  wakeBoundMs: i64 = 10;
  /**
   * A full poll costing at least this (ns, fastest of the window) makes the selector use the hot set. The Node
   * host stays below it (a byte compare of the array: ~15 us at 10,000 fds, 2-4 us at 10 to 100): measured with
   * 5,000 and 10,000 idle connections next to a busy loop, the hot set there bought no throughput (the full poll
   * is not what the loop spends its time on) and made an idle connection's wake-up ~5 ms instead of ~0.15 ms.
   */
  hotCostNs: u64 = 100_000;
  /** Full polls made in HOT mode so far: a hot fd carries the epoch it was last ready in. */
  epoch: i64 = 0;
  /** Measured cost of one full poll (fastest of the last complete window), ns; 0 until measured. */
  fullCostNs: u64 = 0;
  /** Typical cost of one full poll (median of the last complete window), ns; 0 until measured. */
  typicalCostNs: u64 = 0;
  /** True when the last select found something ready: the next full poll first tries without waiting (a clean cost sample). */
  busy: bool = false;
  private nextFullNs: u64 = 0;
  private fullSelects: u32 = 0;
  /** Cost per subscription of a full poll (fastest of the window), ns. */
  private perSubNs: f64 = 0;
  private windowMinPerSub: f64 = f64.MAX_VALUE;
  /** perSubNs measured in FULL mode when the hot set was turned on. */
  private perSubBeforeHot: f64 = 0;
  /** The costs of the current window so far, in ascending order (its first windowCount slots). */
  private windowCosts: StaticArray<u64> = new StaticArray<u64>(WINDOW);
  private windowCount: i32 = 0;

  /** True when the hot set is on at all (wakeBoundMs > 0). */
  get enabled(): bool { return this.wakeBoundMs > 0; }

  /** True when a select at `nowNs` must poll every fd: FULL mode, nothing hot, a dead fd to report, or the interval is over. */
  mustPollAll(nowNs: u64, hotSize: i32, deadCount: i32): bool {
    return this.mode != PollMode.HOT || hotSize == 0 || deadCount > 0 || nowNs >= this.nextFullNs;
  }

  /** How long (ms) a hot poll may wait: the caller's timeout (< 0: none), but not past the next full poll (rounded up). */
  hotTimeoutMs(nowNs: u64, timeoutMs: i64): i64 {
    const left = <i64>((this.nextFullNs - nowNs + 999_999) / 1_000_000);
    return timeoutMs < 0 ? left : min(timeoutMs, left);
  }

  /** True when the caller's timeout, not the next full poll, limited a hot wait of `timeoutMs` started at `nowNs`. */
  callerLimited(nowNs: u64, timeoutMs: i64): bool {
    return timeoutMs >= 0 && <u64>timeoutMs * 1_000_000 < this.nextFullNs - nowNs;
  }

  /**
   * True when this full poll (of `timeoutMs`) should be measured: every full poll in HOT mode, one in
   * SAMPLE_EVERY in FULL mode; and only when it can be made without waiting (timeout 0, or a busy loop,
   * where a first try without waiting usually finds something).
   */
  wantsSample(timeoutMs: i64): bool {
    if (this.mode == PollMode.FULL_ONLY || (timeoutMs != 0 && !this.busy)) return false;
    return this.mode == PollMode.HOT || (++this.fullSelects % SAMPLE_EVERY) == 0;
  }

  /** Records one full poll of `subs` subscriptions made without waiting, which took `costNs`; decides the mode at the end of a window. */
  sample(costNs: u64, subs: i32): void {
    this.insertCost(costNs);
    const perSub = <f64>costNs / <f64>max(subs, 1);
    if (perSub < this.windowMinPerSub) this.windowMinPerSub = perSub;
    if (this.windowCount < WINDOW) return;
    const costs = this.windowCosts;
    this.fullCostNs = unchecked(costs[0]);
    this.typicalCostNs = unchecked(costs[WINDOW / 2]);
    this.perSubNs = this.windowMinPerSub;
    this.windowMinPerSub = f64.MAX_VALUE;
    this.windowCount = 0;
    this.decide();
  }

  /**
   * A full poll ended at `endNs` (in HOT mode): opens the next epoch and sets when the next full poll is due, from
   * `costNs`, what that poll cost when it was made without waiting (0: it waited, its cost is not known).
   */
  fullPollDone(endNs: u64, costNs: u64): void {
    this.epoch++;
    const typical = this.typicalCostNs;
    const charged = costNs == 0 ? typical : min(costNs, STALL_FACTOR * typical);
    const bound = <u64>this.wakeBoundMs * 1_000_000;
    this.nextFullNs = endNs + max(bound, FULL_SHARE * charged);
  }

  /** Adds one cost to the window, keeping it in ascending order (WINDOW is small: the fastest and median are read off). */
  private insertCost(costNs: u64): void {
    const costs = this.windowCosts;
    let i = this.windowCount++;
    for (; i > 0 && unchecked(costs[i - 1]) > costNs; i--) unchecked(costs[i] = costs[i - 1]);
    unchecked(costs[i] = costNs);
  }

  /** The only place the mode changes. */
  private decide(): void {
    const was = this.mode;
    if (was == PollMode.FULL_ONLY) return;
    if (HOST_MAY_CACHE_ARRAY && was == PollMode.HOT && this.perSubNs > <f64>SWITCH_PENALTY * this.perSubBeforeHot) {
      this.mode = PollMode.FULL_ONLY;
      return;
    }
    this.mode = this.enabled && this.fullCostNs >= this.hotCostNs ? PollMode.HOT : PollMode.FULL;
    if (was != PollMode.HOT && this.mode == PollMode.HOT) this.perSubBeforeHot = this.perSubNs;
  }

  /** Turns the hot set on (`ms` > 0, the lower bound of the wake-up interval) or off (0); off takes effect at once. */
  setWakeBound(ms: i64): void {
    this.wakeBoundMs = max<i64>(ms, 0);
    this.decide();
  }
}
