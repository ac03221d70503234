package dev.ensemble.logging;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, lock-free ring for many producers and one consumer (Dmitry Vyukov's bounded queue: each slot
 * carries a sequence number that says whose turn it is). {@link #offer} never waits: it claims a slot with
 * one compare-and-set, or returns false at once when the ring is full. {@link #poll} may only be called
 * from the single consumer thread. The capacity is rounded up to a power of two.
 */
final class MpscRing<E> {

  private final int mask;
  private final AtomicReferenceArray<E> slots;
  private final AtomicLongArray sequences;
  private final AtomicLong tail = new AtomicLong();
  private final AtomicLong head = new AtomicLong();

  MpscRing(int capacity) {
    if (capacity < 2 || capacity > (1 << 30)) {
      throw new IllegalArgumentException("capacity must be between 2 and 2^30: " + capacity);
    }
    int size = Integer.highestOneBit(capacity - 1) << 1;
    this.mask = size - 1;
    this.slots = new AtomicReferenceArray<>(size);
    this.sequences = new AtomicLongArray(size);
    for (int i = 0; i < size; i++) {
      sequences.set(i, i);
    }
  }

  int capacity() {
    return mask + 1;
  }

  /** Adds {@code e} unless the ring is full; never blocks. */
  boolean offer(E e) {
    long pos = tail.get();
    while (true) {
      int index = (int) (pos & mask);
      long diff = sequences.get(index) - pos;
      if (diff == 0) {
        if (tail.compareAndSet(pos, pos + 1)) {
          slots.lazySet(index, e);
          sequences.set(index, pos + 1);
          return true;
        }
        pos = tail.get();
      } else if (diff < 0) {
        return false;
      } else {
        pos = tail.get();
      }
    }
  }

  /** The oldest element, or null when the ring is empty (or its oldest slot is claimed but not yet filled). Consumer only. */
  E poll() {
    long pos = head.get();
    int index = (int) (pos & mask);
    if (sequences.get(index) != pos + 1) {
      return null;
    }
    E e = slots.get(index);
    slots.lazySet(index, null);
    sequences.set(index, pos + mask + 1);
    head.lazySet(pos + 1);
    return e;
  }

  /** Elements claimed and not yet taken; exact when producers and the consumer are quiet, a snapshot otherwise. */
  int size() {
    long h = head.get();
    long t = tail.get();
    return (int) Math.max(0, Math.min(t - h, capacity()));
  }
}
