package dev.ensemble.ingress;

import dev.ensemble.config.ModelKind;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pricing.CostCalculator;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.openai.OpenAiEmbeddingsCodec;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/** {@code POST /v1/embeddings}: input tokens priced at the model's input price. */
final class EmbeddingsOperation implements Operation {

  private final OpenAiEmbeddingsCodec codec;
  private final EmbeddingsRequest request;

  EmbeddingsOperation(OpenAiEmbeddingsCodec codec, EmbeddingsRequest request) {
    this.codec = codec;
    this.request = request;
  }

  @Override
  public ModelKind kind() {
    return ModelKind.EMBEDDING;
  }

  @Override
  public UnifiedRequest routingView() {
    return UnifiedRequest.builder(request.model()).maxTokens(0)
        .message(new Message(Role.USER, List.of(new ContentBlock.Text(String.join("\n", request.texts()), null)))).build();
  }

  @Override
  public Operation withModel(String model) {
    return new EmbeddingsOperation(codec, new EmbeddingsRequest(model, request.input(), request.encodingFormat(), request.dimensions(),
        request.user()));
  }

  @Override
  public UpstreamCall toUpstream(Selection selection) {
    return selection.pool().capabilities().embeddings().toUpstream(request, selection.upstreamModel());
  }

  @Override
  public Answer decode(Selection selection, Buffer body) {
    EmbeddingsResponse response = selection.pool().capabilities().embeddings().fromUpstream(request, body);
    return new Answer(codec.encodeResponse(response, request.model()), response.usage(), null,
        CostCalculator.cost(response.usage(), selection.pricing()));
  }
}
