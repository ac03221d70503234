package dev.ensemble.ingress;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a node is in its life, as load balancers and clients see it: {@link Phase#STARTING} until every verticle
 * runs, {@link Phase#READY}, then on SIGTERM or {@code POST /admin/drain} {@link Phase#DRAINING} ({@code /api/v1/ready}
 * answers 503 while new requests are still served, so the load balancer notices first) and, after
 * {@code server.drain_grace_ms}, {@link Phase#REFUSING} (new proxied requests get 503, WebSocket clients are told to
 * reconnect). The node's drain (in {@code dev.ensemble.node}) moves the phase; every ingress instance reads it.
 * Shared by all event loops: a volatile phase and concurrent sets of listeners, each of which hops to its own
 * event loop.
 */
public final class NodeLifecycle {

  /** The phases in order; a node never goes back. */
  public enum Phase { STARTING, READY, DRAINING, REFUSING }

  private volatile Phase phase = Phase.STARTING;
  private final Set<Runnable> refusalListeners = ConcurrentHashMap.newKeySet();
  private final Runnable drainRequest;

  /** @param drainRequest starts the node's drain; called by {@code POST /admin/drain} */
  public NodeLifecycle(Runnable drainRequest) {
    this.drainRequest = drainRequest;
  }

  public Phase phase() {
    return phase;
  }

  /** Whether the node should get new traffic. */
  public boolean isReady() {
    return phase == Phase.READY;
  }

  /** Whether new proxied requests are turned away. */
  public boolean isRefusing() {
    return phase == Phase.REFUSING;
  }

  /** Every verticle runs: the node takes traffic. */
  public void ready() {
    advance(Phase.READY);
  }

  /** The drain began: readiness answers 503, requests are still served. */
  public void draining() {
    advance(Phase.DRAINING);
  }

  /** The grace is over: new requests are refused and every listener hears it once. */
  public void refusing() {
    if (advance(Phase.REFUSING)) {
      refusalListeners.forEach(Runnable::run);
    }
  }

  /** Asks the node to drain (an admin's request); a drain already under way goes on. */
  public void requestDrain() {
    drainRequest.run();
  }

  /** Runs {@code listener} when new requests start being refused (at once if they already are). */
  void onRefusing(Runnable listener) {
    refusalListeners.add(listener);
    if (isRefusing()) {
      listener.run();
    }
  }

  void removeListener(Runnable listener) {
    refusalListeners.remove(listener);
  }

  private synchronized boolean advance(Phase next) {
    if (phase.ordinal() >= next.ordinal()) {
      return false;
    }
    phase = next;
    return true;
  }
}
