package dev.ensemble.bus;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs a wake-up of another thread once the current event-loop task is over. A request hands its ledger row and
 * response record over, and offers crash-journal records, while it is answering; on a busy core the woken thread
 * would preempt the event loop before it wrote the client's answer; so would the pool and router verticles woken by a
 * request's attempt outcome and usage report ({@link Inbox}). Deferred to the end of the task (a task queued on the same event loop: no system
 * call), the wake comes after the answer left. Off an event loop it runs at once.
 */
public final class AfterThisTask {

  private AfterThisTask() {
  }

  public static void run(Runnable wake) {
    Context current = Vertx.currentContext();
    if (current != null && current.isEventLoopContext() && Context.isOnEventLoopThread()) {
      current.runOnContext(v -> wake.run());
    } else {
      wake.run();
    }
  }
}
