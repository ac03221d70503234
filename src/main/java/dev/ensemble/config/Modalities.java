package dev.ensemble.config;

import dev.ensemble.model.MediaPart;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The media a provider takes for a model, as a mask of {@link MediaPart#bit()}s; text is always taken. Defaults
 * come from the provider's kind ({@link BuiltInKind}); a catalog or {@code ensemble.yaml} model may narrow
 * or widen them with {@code modalities:}, within what the provider's wire format can carry.
 */
public record Modalities(int parts) {

  /** Takes every kind of media: no restriction. */
  public static final Modalities ALL = new Modalities((1 << MediaPart.values().length) - 1);
  public static final Modalities TEXT_ONLY = new Modalities(0);

  public static Modalities of(MediaPart... parts) {
    int mask = 0;
    for (MediaPart p : parts) {
      mask |= p.bit();
    }
    return new Modalities(mask);
  }

  /** Whether every media part in the {@code required} mask is taken. */
  public boolean accepts(int required) {
    return (required & ~parts) == 0;
  }

  public boolean accepts(MediaPart part) {
    return accepts(part.bit());
  }

  /** These modalities keeping only the parts the listed {@code modalities} cover. */
  public Modalities restrictedTo(Iterable<Modality> modalities) {
    int mask = 0;
    for (Modality m : modalities) {
      mask |= m.parts();
    }
    return new Modalities(parts & mask);
  }

  /** The catalog names of the modalities these take at least in part, text first ({@code [text, image, pdf]}). */
  public List<String> names() {
    List<String> names = new ArrayList<>(5);
    for (Modality m : Modality.values()) {
      if (m == Modality.TEXT || (parts & m.parts()) != 0) {
        names.add(m.configName());
      }
    }
    return names;
  }

  @Override
  public String toString() {
    return "Modalities" + Arrays.toString(MediaPart.in(parts));
  }
}
