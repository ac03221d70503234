package dev.ensemble.ingress;

import dev.ensemble.config.ModelKind;
import dev.ensemble.config.RouteConfig;

/**
 * What a workflow route ({@code POST /v1/workflows/{name}}) fronts: its {@code operation} when set, else the kind of its
 * model — {@code embeddings} (body in the OpenAI embeddings format), {@code images} (OpenAI images format) or
 * {@code chat} (OpenAI chat format; also for {@code provider/model} routes without an operation).
 */
final class WorkflowOperation {

  private WorkflowOperation() {
  }

  static String of(RouteConfig route, ModelKind kind) {
    if (!route.operation().isEmpty()) {
      return route.operation();
    }
    if (kind == ModelKind.EMBEDDING) {
      return "embeddings";
    }
    return kind == ModelKind.IMAGE ? "images" : "chat";
  }
}
