package dev.ensemble.routing;

import dev.ensemble.config.ModelKind;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaPart;
import dev.ensemble.model.Passthrough;
import dev.ensemble.model.UnifiedRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The steps of a decision that narrow a model's candidates by what the request needs of a provider, before any
 * endpoint is looked at: the kind of model (chat, embeddings, images), the media parts the request carries, and
 * its client's own format when it must be passed as is. Each returns the list it was given when every candidate
 * qualifies, and a 400 naming what no candidate takes when none does. Stateless.
 */
final class CandidateFilters {

  private CandidateFilters() {
  }

  /**
   * The candidates whose provider type can serve {@code kind} ({@code declared}: the model's declared kind, or null); a 400 naming the mismatch when there are none. A
   * model with a declared kind (its own, or the catalog's) is a 400 on another route before any provider is
   * asked; one without is sent on, and its provider's answer says whether the model can do it.
   */
  static List<Candidate> capable(String model, ModelKind declared, List<Candidate> candidates, ModelKind kind) {
    if (declared != null && declared != kind) {
      throw new GatewayError(ErrorType.INVALID_REQUEST, 400, "The model '" + model + "' is " + (declared == ModelKind.CHAT ? "a " : "an ")
          + declared.wireName() + " model; it cannot serve " + kind.operation(), false, null, "model");
    }
    List<Candidate> able = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      if (c.pool().capabilities().supports(kind)) {
        able.add(c);
      }
    }
    if (able.isEmpty()) {
      throw new GatewayError(ErrorType.INVALID_REQUEST, 400, "No provider serving '" + model + "' supports " + kind.operation() + " ("
          + String.join(", ", candidates.stream().map(c -> c.pool().name() + ": " + c.pool().config().type().name().toLowerCase()).toList())
          + ")", false, null, "model");
    }
    return able.size() == candidates.size() ? candidates : able;
  }

  /** The candidates that take every media part in {@code media}: all of them, some, or a 400 when none does. */
  static List<Candidate> takingMedia(List<Candidate> candidates, int media, UnifiedRequest request) {
    int taking = 0;
    for (Candidate c : candidates) {
      if (c.served().modalities().accepts(media)) {
        taking++;
      }
    }
    if (taking == candidates.size()) {
      return candidates;
    }
    if (taking == 0) {
      throw mediaRefused(candidates, media, request);
    }
    List<Candidate> out = new ArrayList<>(taking);
    for (Candidate c : candidates) {
      if (c.served().modalities().accepts(media)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * A 400 naming the first part no provider takes, or, when each part is taken by some provider but none takes
   * them all, the first part the model's first provider does not take.
   */
  private static GatewayError mediaRefused(List<Candidate> candidates, int media, UnifiedRequest request) {
    int anyTakes = 0;
    List<String> providers = new ArrayList<>(candidates.size());
    List<String> takes = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      anyTakes |= c.served().modalities().parts();
      String name = c.pool().name();
      if (!providers.contains(name)) {
        providers.add(name);
        takes.add(name + ": " + String.join(", ", c.served().modalities().names()));
      }
    }
    int refused = media & ~anyTakes;
    boolean combination = refused == 0;
    if (combination) {
      refused = media & ~candidates.get(0).served().modalities().parts();
    }
    RequestMedia.Located first = RequestMedia.first(request, refused);
    String what = combination
        ? Arrays.stream(MediaPart.in(media)).map(MediaPart::description).collect(Collectors.joining(", ")) + " together"
        : first.part().description();
    return GatewayError.invalid(first.path(), "model '" + request.model() + "' served by " + String.join(", ", providers)
        + " cannot take " + what + " (providers take " + String.join("; ", takes) + ")");
  }

  /**
   * The candidates whose provider takes the request in its client's own format ({@link Passthrough}): all of them,
   * some, or a 400 naming the field that needs it when none does.
   */
  static List<Candidate> takingAsIs(List<Candidate> candidates, UnifiedRequest request) {
    Passthrough passthrough = request.passthrough();
    List<Candidate> out = new ArrayList<>(candidates.size());
    List<String> providers = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      if (c.pool().adapter().passthrough(passthrough) != null) {
        out.add(c);
      }
      String name = c.pool().name() + " (" + c.pool().config().type().name().toLowerCase(Locale.ROOT) + ")";
      if (!providers.contains(name)) {
        providers.add(name);
      }
    }
    if (out.isEmpty()) {
      throw passthrough.refusal(request.model(), String.join(", ", providers));
    }
    return out.size() == candidates.size() ? candidates : out;
  }
}
