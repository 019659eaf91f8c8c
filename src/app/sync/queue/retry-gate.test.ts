import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RetryGate } from './retry-gate';
import { FakeClock } from './fake-clock';

function settled(promise: Promise<void>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('RetryGate', () => {
  it('lets requests through while nothing failed', async () => {
    const gate = new RetryGate(new FakeClock(), true);
    const ready = settled(gate.ready());
    await flush();
    assert.equal(ready.done, true);
  });

  it('holds the next request for the backoff delay after a failure', async () => {
    const clock = new FakeClock();
    const gate = new RetryGate(clock, true, () => 0);
    const { attempts, nextAttemptAt } = gate.fail('server unreachable');
    assert.equal(attempts, 1);
    assert.equal(nextAttemptAt, clock.now() + 500);
    const ready = settled(gate.ready());
    clock.advance(499);
    await flush();
    assert.equal(ready.done, false);
    clock.advance(1);
    await flush();
    assert.equal(ready.done, true);
  });

  it('waits longer after each consecutive failure, and starts over after a success', () => {
    const clock = new FakeClock();
    const gate = new RetryGate(clock, true, () => 1);
    const delays = [1, 2, 3].map(() => gate.fail('x').nextAttemptAt - clock.now());
    assert.deepEqual(delays, [1000, 2000, 4000]);
    gate.succeed();
    assert.equal(gate.fail('x').nextAttemptAt - clock.now(), 1000);
  });

  it('honours the server\'s Retry-After, but never retries sooner than its own backoff', () => {
    const clock = new FakeClock();
    const gate = new RetryGate(clock, true, () => 1);
    assert.equal(gate.fail('busy', 7000).nextAttemptAt - clock.now(), 7000);
    assert.equal(gate.fail('busy', 1000).nextAttemptAt - clock.now(), 2000);
  });

  it('opens at once on retry now, keeping the attempt count', async () => {
    const clock = new FakeClock();
    const gate = new RetryGate(clock, true);
    gate.fail('x');
    const ready = settled(gate.ready());
    gate.open();
    await flush();
    assert.equal(ready.done, true);
    assert.equal(gate.state.attempts, 1);
  });

  it('holds everything while offline and opens when connectivity returns', async () => {
    const clock = new FakeClock();
    const gate = new RetryGate(clock, false);
    const ready = settled(gate.ready());
    clock.advance(60_000);
    await flush();
    assert.equal(ready.done, false);
    gate.setOnline(true);
    await flush();
    assert.equal(ready.done, true);
  });
});
