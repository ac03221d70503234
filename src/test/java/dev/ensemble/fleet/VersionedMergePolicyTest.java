package dev.ensemble.fleet;

import com.hazelcast.spi.merge.MergingValue;
import dev.ensemble.model.SharedEntry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** After a split, each entry keeps the side whose copy supersedes the other's, whichever side merges into which. */
class VersionedMergePolicyTest {

  private final VersionedMergePolicy policy = new VersionedMergePolicy();

  @Test
  void theNewerVersionWinsFromEitherSide() {
    String older = entry(100, false, "old");
    String newer = entry(200, false, "new");

    assertEquals(newer, policy.merge(value(newer), value(older)));
    assertEquals(newer, policy.merge(value(older), value(newer)));
  }

  @Test
  void aDeletionWinsOverAChangeOfTheSameVersion() {
    String changed = entry(300, false, "changed");
    String deleted = entry(300, true, null);

    assertEquals(deleted, policy.merge(value(changed), value(deleted)));
    assertEquals(deleted, policy.merge(value(deleted), value(changed)));
  }

  @Test
  void anEntryOnlyOneSideHasIsKept() {
    String only = entry(5, false, "only");

    assertEquals(only, policy.merge(value(only), null));
  }

  private static String entry(long version, boolean deleted, String name) {
    SharedEntry e = deleted ? SharedEntry.deletion(SharedEntry.CLIENT, "cli_1", version)
        : SharedEntry.of(SharedEntry.CLIENT, "cli_1", version, new JsonObject().put("name", name));
    return e.toJson().encode();
  }

  /** A merging value as Hazelcast hands it: the raw form is what the policy returns, here the same text. */
  private static MergingValue<Object> value(String json) {
    return new MergingValue<>() {
      @Override
      public Object getValue() {
        return json;
      }

      @Override
      public Object getRawValue() {
        return json;
      }
    };
  }
}
