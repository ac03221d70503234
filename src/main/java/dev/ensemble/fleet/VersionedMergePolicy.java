package dev.ensemble.fleet;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import dev.ensemble.model.SharedEntry;
import io.vertx.core.json.JsonObject;

/**
 * How the shared-entries map heals after a network split: of the two sides' copies of an entry, the one that
 * {@link SharedEntry#supersedes} the other stays (the newer version; at a tie the deletion, then the greater
 * body), the same rule every node's SQLite copy follows, so both sides' changes survive and every node ends on
 * the same winner. Hazelcast's default, put-if-absent, would instead drop the smaller side's changes to
 * entries that both sides hold.
 */
public final class VersionedMergePolicy implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

  @Override
  public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
    if (existing == null) {
      return merging.getRawValue();
    }
    if (merging == null) {
      return existing.getRawValue();
    }
    SharedEntry m = parse(merging.getValue());
    SharedEntry e = parse(existing.getValue());
    if (m == null) {
      return existing.getRawValue();
    }
    return m.supersedes(e) ? merging.getRawValue() : existing.getRawValue();
  }

  private static SharedEntry parse(Object value) {
    return value instanceof String s ? SharedEntry.fromJson(new JsonObject(s)) : null;
  }

  @Override
  public void writeData(ObjectDataOutput out) {
  }

  @Override
  public void readData(ObjectDataInput in) {
  }
}
