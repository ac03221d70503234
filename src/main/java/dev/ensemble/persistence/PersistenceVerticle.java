package dev.ensemble.persistence;

import dev.ensemble.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The persistence actor, deployed as a worker: the only code that touches the response store, whose calls
 * block. Records arrive on {@link Addresses#PERSIST_RESPONSE}; reads are answered on
 * {@link Addresses#PERSIST_RESPONSE_GET} with the stored JSON, or failure 404 when there is none.
 */
public final class PersistenceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);

  private final ResponseStore store;

  public PersistenceVerticle(ResponseStore store) {
    this.store = store;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<ResponseRecord>localConsumer(Addresses.PERSIST_RESPONSE, msg -> {
      try {
        store.save(msg.body());
      } catch (IOException e) {
        LOG.error("could not persist response {}: {}", msg.body().id(), e.toString());
      }
    });
    return vertx.eventBus().<String>localConsumer(Addresses.PERSIST_RESPONSE_GET, msg -> {
      try {
        store.load(msg.body()).ifPresentOrElse(r -> msg.reply(r.toJson()), () -> msg.fail(404, "no response " + msg.body()));
      } catch (IOException | RuntimeException e) {
        LOG.error("could not read response {}: {}", msg.body(), e.toString());
        msg.fail(500, "could not read the response");
      }
    }).completion();
  }

}
