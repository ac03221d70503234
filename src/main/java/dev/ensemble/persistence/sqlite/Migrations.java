package dev.ensemble.persistence.sqlite;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Versioned schema migrations: the SQL files listed, in order, in {@code db/migrations/INDEX} on the class
 * path, each named {@code V<n>__<what>.sql}. Those newer than the highest version in {@code schema_version}
 * are applied at start, each in its own transaction together with its {@code schema_version} row, so a
 * migration is applied entirely or not at all, and exactly once.
 */
public final class Migrations {

  private static final String ROOT = "db/migrations/";
  private static final Pattern NAME = Pattern.compile("V(\\d+)__[A-Za-z0-9_]+\\.sql");

  /** One migration file. */
  public record Migration(int version, String name, List<String> statements) {}

  private final List<Migration> migrations;

  public Migrations(List<Migration> migrations) {
    this.migrations = List.copyOf(migrations);
  }

  /** The migrations shipped on the class path. */
  public static Migrations bundled() {
    List<Migration> out = new ArrayList<>();
    for (String line : resource("INDEX").split("\n")) {
      String name = line.strip();
      if (name.isEmpty() || name.startsWith("#")) {
        continue;
      }
      Matcher m = NAME.matcher(name);
      if (!m.matches()) {
        throw new IllegalStateException("migration file name must look like V1__init.sql: " + name);
      }
      int version = Integer.parseInt(m.group(1));
      if (!out.isEmpty() && out.get(out.size() - 1).version() >= version) {
        throw new IllegalStateException("migrations must be listed in increasing version order: " + name);
      }
      out.add(new Migration(version, name, statements(resource(name))));
    }
    return new Migrations(out);
  }

  /** The migrations, in version order. */
  public List<Migration> migrations() {
    return migrations;
  }

  /** The newest version these migrations bring a database to. */
  public int latestVersion() {
    return migrations.isEmpty() ? 0 : migrations.get(migrations.size() - 1).version();
  }

  /** Brings the database up to date; the future holds the migrations applied now (empty when none were due). */
  public Future<List<Migration>> apply(Pool pool) {
    return pool.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        .execute()
        .compose(v -> pool.query("SELECT COALESCE(MAX(version), 0) FROM schema_version").execute())
        .compose(rows -> {
          int current = ((Number) rows.iterator().next().getValue(0)).intValue();
          List<Migration> due = migrations.stream().filter(m -> m.version() > current).toList();
          Future<Void> chain = Future.succeededFuture();
          for (Migration m : due) {
            chain = chain.compose(v -> pool.withTransaction(conn -> applyOne(conn, m)));
          }
          return chain.map(due);
        });
  }

  /** The versions recorded in {@code schema_version}, oldest first. */
  public static Future<List<Integer>> applied(Pool pool) {
    return pool.query("SELECT version FROM schema_version ORDER BY version").execute().map(rows -> {
      List<Integer> out = new ArrayList<>();
      for (Row row : rows) {
        out.add(((Number) row.getValue(0)).intValue());
      }
      return out;
    });
  }

  private static Future<Void> applyOne(SqlConnection conn, Migration m) {
    Future<Void> chain = Future.succeededFuture();
    for (String sql : m.statements()) {
      chain = chain.compose(v -> conn.query(sql).execute().mapEmpty());
    }
    return chain.compose(v -> conn.preparedQuery("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")
        .execute(Tuple.of(m.version(), m.name(), Instant.now().toString())).mapEmpty());
  }

  /** Splits a script into statements at semicolons that end a line; {@code --} comment lines are dropped. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String sql = current.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }

  private static String resource(String name) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException("missing migration resource " + ROOT + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
