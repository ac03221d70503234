package dev.ensemble.loop;

/** A timeout that was armed and may still be called off: {@link #cancel()} is idempotent, and a no-op once it fired. */
public interface Timeout {

  /** Calls the timeout off; its handler does not run if it has not run yet. On the thread that armed it. */
  void cancel();
}
