package dev.ensemble.persistence;

import java.io.IOException;
import java.util.Optional;

/** Where completed responses are kept. Implementations block: call them from a worker verticle only. */
public interface ResponseStore {

  void save(ResponseRecord record) throws IOException;

  Optional<ResponseRecord> load(String id) throws IOException;
}
