package dev.ensemble.ingress;

import dev.ensemble.config.ModelKind;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.ImagesRequest;
import dev.ensemble.model.ImagesResponse;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pricing.CostCalculator;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.openai.OpenAiImagesCodec;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * {@code POST /v1/images/generations}: each generated image at the model's per-image price for the requested
 * quality and size, plus any tokens the upstream reports at the token prices.
 */
final class ImagesOperation implements Operation {

  private final OpenAiImagesCodec codec;
  private final ImagesRequest request;
  private final long createdEpochSeconds;

  ImagesOperation(OpenAiImagesCodec codec, ImagesRequest request, long createdEpochSeconds) {
    this.codec = codec;
    this.request = request;
    this.createdEpochSeconds = createdEpochSeconds;
  }

  @Override
  public ModelKind kind() {
    return ModelKind.IMAGE;
  }

  @Override
  public UnifiedRequest routingView() {
    return UnifiedRequest.builder(request.model()).maxTokens(0)
        .message(new Message(Role.USER, List.of(new ContentBlock.Text(request.prompt(), null)))).build();
  }

  @Override
  public Operation withModel(String model) {
    return new ImagesOperation(codec, new ImagesRequest(model, request.prompt(), request.n(), request.size(), request.quality(),
        request.responseFormat(), request.options()), createdEpochSeconds);
  }

  @Override
  public UpstreamCall toUpstream(Selection selection) {
    return selection.pool().capabilities().images().toUpstream(request, selection.upstreamModel());
  }

  @Override
  public Answer decode(Selection selection, Buffer body) {
    ImagesResponse response = selection.pool().capabilities().images().fromUpstream(body);
    long created = response.created() > 0 ? response.created() : createdEpochSeconds;
    return new Answer(codec.encodeResponse(response, created), response.usage(), response.images(),
        CostCalculator.cost(response.usage(), response.images(), request.quality(), request.size(), selection.pricing()));
  }
}
