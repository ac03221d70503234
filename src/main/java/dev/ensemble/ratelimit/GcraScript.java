package dev.ensemble.ratelimit;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * The server-side half of {@link RedisRateLimiter}: one Lua script that runs {@link Gcra}'s arithmetic on an
 * endpoint's request key and token key atomically, on the Redis server's clock, in microseconds.
 *
 * <p>{@code KEYS = [rpmKey, tpmKey]}, {@code ARGV = [mode, rpmLimit, tpmLimit, tokens, periodMillis]} with a
 * limit of 0 meaning none. Mode {@code admit} takes one request and {@code tokens} if both fit, else nothing,
 * and replies {@code {1, 0}} or {@code {0, retryAfterMillis}}. Mode {@code correct} moves the token TAT by
 * {@code tokens} (a signed delta), never before now, and replies 1. Each TAT is stored with a PX expiry at the
 * moment it falls back to "now", so idle endpoints leave no keys. TATs are written with {@code %.3f}: Lua's
 * default number formatting keeps only 14 digits, too few for epoch microseconds.
 */
final class GcraScript {

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
      local nextR = nil
      local nextT = nil
      if rpm > 0 then
        nextR = tat(KEYS[1]) + increment(1, rpm)
        wait = math.max(wait, nextR - now - period)
      end
      if tpm > 0 then
        nextT = tat(KEYS[2]) + increment(tokens, tpm)
        wait = math.max(wait, nextT - now - period)
      end
      if wait > 0 then return {0, math.ceil(wait / 1000)} end
      if nextR then store(KEYS[1], nextR) end
      if nextT then store(KEYS[2], nextT) end
      return {1, 0}
      """;

  private GcraScript() {}

  static Request load() {
    return Request.cmd(Command.SCRIPT).arg("LOAD").arg(SOURCE);
  }

  /** EVALSHA with {@code sha}, or EVAL with the source when {@code sha} is null. */
  static Request admit(String sha, String endpointId, EndpointLimits limits, long tokens) {
    return call(sha, endpointId, "admit", limits, tokens);
  }

  static Request correct(String sha, String endpointId, EndpointLimits limits, long tokenDelta) {
    return call(sha, endpointId, "correct", limits, tokenDelta);
  }

  static String rpmKey(String endpointId) {
    return "ensemble:rl:{" + endpointId + "}:rpm";
  }

  static String tpmKey(String endpointId) {
    return "ensemble:rl:{" + endpointId + "}:tpm";
  }

  private static Request call(String sha, String endpointId, String mode, EndpointLimits limits, long tokens) {
    Request request = sha == null ? Request.cmd(Command.EVAL).arg(SOURCE) : Request.cmd(Command.EVALSHA).arg(sha);
    return request.arg(2)
        .arg(rpmKey(endpointId))
        .arg(tpmKey(endpointId))
        .arg(mode)
        .arg(limits.rpm() == null ? 0 : limits.rpm())
        .arg(limits.tpm() == null ? 0 : limits.tpm())
        .arg(tokens)
        .arg(PERIOD_MILLIS);
  }
}
