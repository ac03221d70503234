package dev.ensemble.wire;

import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/** Makes {@link TreeJsonCodec} Vert.x's JSON codec (loaded by {@code ServiceLoader}, ahead of Vert.x's default). */
public final class TreeJsonFactory implements JsonFactory {

  private static final JsonCodec CODEC = new TreeJsonCodec();

  @Override
  public int order() {
    return 0;
  }

  @Override
  public JsonCodec codec() {
    return CODEC;
  }
}
