package dev.ensemble.ratelimit;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * The server-side half of {@link RedisRateLimiter}: one Lua script that decides an endpoint's request limit
 * and token limit together, atomically, on the Redis server's clock (microseconds).
 *
 * <p>Requests per minute are an exact sliding window kept as a sorted-set log (the key {@code ...:rpm}): each
 * admission is a member scored with its time; a call first drops the members a window old or older
 * ({@code ZREMRANGEBYSCORE}), then admits iff fewer than the limit remain ({@code ZCARD}), and records itself
 * ({@code ZADD}) with a {@code PEXPIRE} of one window, so an idle endpoint's log disappears. When full, the wait
 * is how long until the oldest member that must leave turns a window old. Tokens per minute are {@link Gcra}'s
 * arithmetic on one number (the key {@code ...:tpm}, a theoretical arrival time written with {@code %.3f}
 * because Lua's default formatting keeps only 14 digits, stored with a PX expiry at the moment it falls back
 * to "now").
 *
 * <p>{@code KEYS = [rpmKey, tpmKey]}, {@code ARGV = [mode, rpmLimit, tpmLimit, tokens, periodMillis, member]}
 * with a limit of 0 meaning none. Mode {@code admit} takes one request and {@code tokens} if both fit, else
 * nothing, and replies {@code {1, 0}} or {@code {0, retryAfterMillis}}; {@code member} names the request in
 * the log and must be unique (node id and sequence). Mode {@code correct} moves the token TAT by
 * {@code tokens} (a signed delta), never before now, and replies 1. A request key of another type (the
 * counter of an earlier version) is replaced by a fresh log.
 */
final class LimitScript {

  static final long PERIOD_MILLIS = 60_000;

  static final String SOURCE = """
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local period = tonumber(ARGV[5]) * 1000
      local function tat(key)
        local v = redis.call('GET', key)
        local x = v and tonumber(v) or now
        if x < now then return now end
        return x
      end
      local function store(key, value)
        if value > now then
          redis.call('SET', key, string.format('%.3f', value), 'PX', math.ceil((value - now) / 1000))
        else
          redis.call('DEL', key)
        end
      end
      local function increment(cost, limit)
        return math.min(cost, limit) * period / limit
      end
      local rpm = tonumber(ARGV[2])
      local tpm = tonumber(ARGV[3])
      local tokens = tonumber(ARGV[4])
      if ARGV[1] == 'correct' then
        if tpm <= 0 or tokens == 0 then return 0 end
        local base = tat(KEYS[2])
        local inc = increment(math.abs(tokens), tpm)
        if tokens > 0 then store(KEYS[2], base + inc) else store(KEYS[2], math.max(now, base - inc)) end
        return 1
      end
      local wait = 0
      if rpm > 0 then
        local kind = redis.call('TYPE', KEYS[1])
        if type(kind) == 'table' then kind = kind.ok end
        if kind ~= 'zset' and kind ~= 'none' then redis.call('DEL', KEYS[1]) end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - period))
        local count = redis.call('ZCARD', KEYS[1])
        if count >= rpm then
          local oldest = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
          wait = math.max(wait, tonumber(oldest[2]) + period - now)
        end
      end
      local nextT = nil
      if tpm > 0 then
        nextT = tat(KEYS[2]) + increment(tokens, tpm)
        wait = math.max(wait, nextT - now - period)
      end
      if wait > 0 then return {0, math.ceil(wait / 1000)} end
      if rpm > 0 then
        redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[6])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
      end
      if nextT then store(KEYS[2], nextT) end
      return {1, 0}
      """;

  private LimitScript() {}

  static Request load() {
    return Request.cmd(Command.SCRIPT).arg("LOAD").arg(SOURCE);
  }

  /**
   * EVALSHA with {@code sha}, or EVAL with the source when {@code sha} is null; {@code member} is the
   * request's unique name in the request log.
   */
  static Request admit(String sha, String endpointId, EndpointLimits limits, long tokens, String member) {
    return call(sha, endpointId, "admit", limits, tokens, member);
  }

  static Request correct(String sha, String endpointId, EndpointLimits limits, long tokenDelta) {
    return call(sha, endpointId, "correct", limits, tokenDelta, "");
  }

  static String rpmKey(String endpointId) {
    return "ensemble:rl:{" + endpointId + "}:rpm";
  }

  static String tpmKey(String endpointId) {
    return "ensemble:rl:{" + endpointId + "}:tpm";
  }

  private static Request call(String sha, String endpointId, String mode, EndpointLimits limits, long tokens, String member) {
    Request request = sha == null ? Request.cmd(Command.EVAL).arg(SOURCE) : Request.cmd(Command.EVALSHA).arg(sha);
    return request.arg(2)
        .arg(rpmKey(endpointId))
        .arg(tpmKey(endpointId))
        .arg(mode)
        .arg(limits.rpm() == null ? 0 : limits.rpm())
        .arg(limits.tpm() == null ? 0 : limits.tpm())
        .arg(tokens)
        .arg(PERIOD_MILLIS)
        .arg(member);
  }
}
